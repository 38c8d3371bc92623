# (once a bug) the underline of an expression that begins with '(' starts after the '('
# Predict a price from tabular features.
param width = 64
param groups = 0

input features: float32[12]

output price = features -> Dense((width + 1) // groups) -> Dense(1) loss mse

# Predict a price from tabular features.
param width = 64
param groups = 0

input features: float32[12]

output price = features -> Dense(width // groups) -> Dense(1) loss mse

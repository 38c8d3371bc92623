# (once a bug) the unclosed string's placeholder "" is then reported as an unknown activation
# Predict a price from tabular features.
param act = "relu
input features: float32[12]

output price = features -> Dense(32, activation=act) -> Dense(1) loss mse

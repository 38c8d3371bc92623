# Predict a price from tabular features.
param width = 32
input features: float32[12]

output price = features -> Dense(16, activation="relu") -> Dense(1) loss mse

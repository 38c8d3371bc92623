# Predict a price from tabular features.
input features: float32[12]

output price = features -> Lambda("x * 2") -> Dense(1) loss mse

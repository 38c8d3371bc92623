# Predict a price from tabular features.
input features: float32[0]

output price = features -> Dense(1) loss mse

# Predict a price from tabular features.
input features: float32[12]

output price = features -> Dense(0) loss mse

# Predict a price from tabular features.
input features: float32[12]

output price = features -> Dense(activation="relu") -> Dense(1) loss mse

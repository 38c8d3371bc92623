# Predict a price from tabular features.
input features: float32[12]

output price = features -> Dense("32", activation="relu") -> Dense(1) loss mse

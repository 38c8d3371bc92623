# Predict a price from tabular features.
input features: float32[12]

layer shared = Dense(32, activation="relu")

output price = features -> Dense(1) loss mse

# Predict a price; the second input was forgotten.
input features: float32[12]
input region: int32[1]

output price = features -> Dense(32, activation="relu") -> Dense(1) loss mse

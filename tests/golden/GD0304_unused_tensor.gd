# Predict a price from tabular features.
input features: float32[12]

hidden = features -> Dense(32, activation="relu")
wide = features -> Dense(64, activation="relu")

output price = hidden -> Dense(1) loss mse

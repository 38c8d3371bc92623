# Predict a price from tabular features.
input features: float32[12]

output price = hidden -> Dense(1) loss mse

hidden = features -> Dense(32, activation="relu")

# Predict a price and a rent from tabular features.
param width = 32
input features: float32[12]

hidden = features -> Dense(width, activation="relu")

output price = hidden -> Dense(1) loss mse
output rent = width -> Dense(1) loss mse

# Predict a price and a rent from tabular features.
input features: float32[12]

hidden = features -> Dense(32, activation="relu")

output price = hidden -> Dense(1) loss mse
output rent = hiden -> Dense(1) loss mse

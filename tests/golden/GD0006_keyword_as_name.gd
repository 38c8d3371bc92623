# Predict a price and its weight in the basket from tabular features.
input features: float32[12]

output price = features -> Dense(32, activation="relu") -> Dense(1) loss mse
output weight = features -> Dense(1, activation="sigmoid") loss binary_crossentropy

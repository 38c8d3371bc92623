# Predict a price from tabular features.
input features: float23[12]

output price = features -> Dense(1) loss mse

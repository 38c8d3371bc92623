# Predict a price from tabular features.
input features: float32[12]  # café prices

output price = features -> Dense(1) loss mse

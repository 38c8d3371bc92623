# Predict a price from tabular features.
input features: float32[12]

output price = features -> Dropout(0.5, None, 42, 7) -> Dense(1) loss mse

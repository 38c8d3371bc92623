# Predict a price from tabular features.
input features: float32[12]

output price = features -> Dense(1) loss mse

optimizer adamm(learning_rate=1e-3)

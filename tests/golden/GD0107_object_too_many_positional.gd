# A regression with a weight penalty.
input features: float32[12]

output price = features -> Dense(32, kernel_regularizer=L2(0.01, 0.02)) -> Dense(1) loss mse

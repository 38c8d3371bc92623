# A regression with an elastic-net weight penalty.
input features: float32[12]

output price = features -> Dense(32, kernel_regularizer=L1L2(0.01, l1=0.02)) -> Dense(1) loss mse

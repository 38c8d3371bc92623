# A regression whose penalty was given where the initializer belongs.
input features: float32[12]

output price = features -> Dense(32, kernel_regularizer=HeNormal()) -> Dense(1) loss mse

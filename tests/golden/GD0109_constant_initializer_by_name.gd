# Keras cannot make the constant initializer from its name
input x: float32[4]

output y = x -> Dense(3, bias_initializer="constant")
    loss mse

# Keras's compile(loss_weights=...) is the weight clause
input x: float32[4]

output y = x -> Dense(1)
    loss mse loss_weights 0.5

# Keras's metric spelled in the singular
input x: float32[4]

output y = x -> Dense(1)
    loss mse metric [mae]

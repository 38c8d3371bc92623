input x: float32[8]

output y = x -> Dense(1)
    loss mse

optimizer sgd(learning_rate=0.1, momentum=0.9, learning_rate=0.01)

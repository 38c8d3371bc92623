# the optimizer is a name, not a string
input x: float32[4]

output y = x -> Dense(1)
    loss mse

optimizer "adam"

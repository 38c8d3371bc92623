# a space inside a keyword argument
input x: float32[4]

output y = x -> Dense(1, a ctivation="relu")
    loss mse

# data: x = rng.random((8, 6))
# data: y = rng.random((8, 1))
input x: float32[5]

output y = x -> Dense(1)
    loss mse

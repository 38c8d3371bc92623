# data: x = rng.random((8, 3))
# data: y = rng.random((7, 1))
input x: float32[3]

output y = x -> Dense(1)
    loss mse

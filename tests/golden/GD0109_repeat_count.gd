# repeat takes a whole number of times, at least 1.
param depth = 0
input x: float32[16]

output y = x -> repeat(depth, Dense(16)) -> Dense(1)
    loss mse

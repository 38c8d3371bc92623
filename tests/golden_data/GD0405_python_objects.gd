# data: x = np.array([[0.5, "a", None]] * 8, dtype=object)
# data: y = rng.random((8, 1))
input x: float32[3]

output y = x -> Dense(1)
    loss mse

# data: x = np.zeros((0, 3), dtype=np.float32)
# data: y = np.zeros((0, 1), dtype=np.float32)
input x: float32[3]

output y = x -> Dense(1)
    loss mse

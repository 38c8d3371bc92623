# data: x = rng.random((8, 3))
# data: spam = rng.integers(0, 2, (8, 1))
# val: x = rng.random((4, 3))
# val: spam = np.array([[0], [1], [2], [1]])
input x: float32[3]

output spam = x -> Dense(1, activation="sigmoid")
    loss binary_crossentropy

# data: x = rng.random((8, 3))
# data: label = rng.integers(0, 4, (8,))
input x: float32[3]

output label = x -> Dense(4, activation="softmax")
    loss categorical_crossentropy

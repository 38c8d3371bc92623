# data: x = rng.random((8, 3))
# data: topic = np.arange(8) + 3
input x: float32[3]

output topic = x -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

# data: posts = rng.integers(0, 100, (8, 20))
# data: scores = rng.random((8, 1))
# data: label = rng.integers(0, 2, (8, 1))
input posts: int32[20]

h = posts -> Embedding(100, 4) -> GlobalAveragePooling1D()
output score = h -> Dense(1)
    loss mse
output spam = h -> Dense(1, activation="sigmoid")
    loss binary_crossentropy
output embedding = h    # no loss: predicted, not trained, so it needs no array

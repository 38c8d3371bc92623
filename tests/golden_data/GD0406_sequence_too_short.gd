# data: posts = rng.integers(0, 100, (8, 9))
# data: score = rng.random((8, 1))
input posts: int32[?]

output score = posts
    -> Embedding(100, 8)
    -> Conv1D(8, 5, activation="relu")
    -> MaxPooling1D(2)
    -> Conv1D(8, 3)
    -> GlobalMaxPooling1D()
    -> Dense(1)
    loss mse

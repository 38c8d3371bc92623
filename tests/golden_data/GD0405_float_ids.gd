# data: posts = rng.random((8, 20)) * 100
# data: score = rng.random((8, 1))
input posts: int32[20]

output score = posts -> Embedding(100, 4) -> GlobalAveragePooling1D() -> Dense(1)
    loss mse

# data: words = np.minimum(rng.integers(0, 1200, (8, 20)), 1000)
# data: topic = rng.integers(0, 5, (8,))
param vocab = 1000

input words: int32[20]

output topic = words
    -> Embedding(vocab, 16)
    -> GlobalAveragePooling1D()
    -> Dense(5, activation="softmax")
    loss sparse_categorical_crossentropy

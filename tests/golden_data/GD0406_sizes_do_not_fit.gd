# data: question = rng.integers(0, 100, (8, 12))
# data: answer = rng.integers(0, 100, (8, 15))
# data: match = rng.integers(0, 2, (8, 1))
input question: int32[?]
input answer: int32[?]

layer embed = Embedding(100, 8)
q = question -> embed
a = answer -> embed

output match = add(q, a) -> GlobalMaxPooling1D() -> Dense(1, activation="sigmoid")
    loss binary_crossentropy

# the vocabulary and the width in the order people say them, not Keras's
input tokens: int32[20]

output y = tokens -> Embedding(64, 50000) -> Flatten() -> Dense(1)
    loss mse

# Keras 2's Embedding(input_length=...) is gone: the input's shape gives the length
input tokens: int32[20]

output y = tokens -> Embedding(1000, 16, input_length=20) -> Flatten() -> Dense(1)
    loss mse

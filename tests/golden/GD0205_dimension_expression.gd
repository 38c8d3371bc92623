# A dimension may be an expression of params; it must give a positive whole number.
param length = 128
input tokens: int32[length / 2]

output y = tokens -> Embedding(1000, 8) -> GlobalAveragePooling1D() -> Dense(1)
    loss mse

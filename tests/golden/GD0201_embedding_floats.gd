# Embed a sequence of ids.
input ids: float32[20]

output score = ids -> Embedding(1000, 16) -> GlobalAveragePooling1D() -> Dense(1) loss mse

# Join a text sequence with per-row features.
input words: int32[30]
input extra: float32[5]

seq = words -> Embedding(1000, 16)

output y = concat(seq, extra) -> Dense(1) loss mse

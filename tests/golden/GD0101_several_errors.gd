# Several independent mistakes in one program.
input words: int32[40]
input extra: float32[5]

features = words -> Embedding(5000, 64) -> GlobalAveragePooling1D()
pooled = wrods -> Embedding(5000, 8) -> GlobalMaxPooling1D()
counts = wrods -> Dense(4)
flags = wrods -> Dense(2)
summary = concat(features, extra) -> Dense(16 activation="relu")

output topic = features -> Dense(5, activation="sofmax")
    loss categorical_crossentropy
output size = concat(pooled, counts, flags, extra) -> Dense(1) loss mse metrics [mae, acuracy]
output length = summary -> Conv1d(8, 3) -> Dense(1) loss mse

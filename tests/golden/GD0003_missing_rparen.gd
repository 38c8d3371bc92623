# Score a review and guess its length from its word ids.
input words: int32[60]

features = words -> Embedding(8000, 32) -> GlobalAveragePooling1D()

output score = features
    -> Dense(16, activation="relu"
    -> Dense(1, activation="sigmoid")
    loss binary_crossentropy
output length = features -> Dense(1) loss mse

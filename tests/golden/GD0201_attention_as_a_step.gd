# A text classifier that forgot attention needs a query and a value.
input tokens: int32[64]

output label = tokens
    -> Embedding(1000, 32)
    -> MultiHeadAttention(num_heads=4, key_dim=8)
    -> GlobalAveragePooling1D()
    -> Dense(2, activation="softmax")
    loss sparse_categorical_crossentropy

# training= is decided by fit and predict, not by the program.
input tokens: int32[?]

emb = tokens -> Embedding(1000, 32)
attn = MultiHeadAttention(num_heads=2, key_dim=16)(emb, emb, training=True)

output y = attn -> GlobalAveragePooling1D() -> Dense(1)
    loss mse

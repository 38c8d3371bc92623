# keras-io's Transformer text classifier (one Transformer block over token and position
# embeddings): 657,758 parameters.
model transformer_classifier

param vocab = 20000
param maxlen = 200
param embed_dim = 32
param heads = 2
param ff_dim = 32

input tokens: int32[maxlen]
input positions: int32[maxlen]      # 0, 1, ..., maxlen - 1

block transformer(x, embed_dim, heads, ff_dim) {
    attn = MultiHeadAttention(num_heads=heads, key_dim=embed_dim)(x, x)
        -> Dropout(0.1)
    out1 = x + attn -> LayerNormalization(epsilon=1e-6)
    ffn = out1
        -> Dense(ff_dim, activation="relu")
        -> Dense(embed_dim)
        -> Dropout(0.1)
    return out1 + ffn -> LayerNormalization(epsilon=1e-6)
}

tok = tokens -> Embedding(vocab, embed_dim)
pos = positions -> Embedding(maxlen, embed_dim)
x = tok + pos

output label = x
    -> transformer(embed_dim, heads, ff_dim)
    -> GlobalAveragePooling1D()
    -> Dropout(0.1)
    -> Dense(20, activation="relu")
    -> Dropout(0.1)
    -> Dense(2, activation="softmax")
    loss sparse_categorical_crossentropy metrics [accuracy]

optimizer adam

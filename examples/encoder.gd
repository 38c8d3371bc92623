# Classify a text with a two-layer Transformer encoder.
model encoder

param vocab = 20000
param length = 128
param dim = 64
param heads = 4
param depth = 2

input tokens: int32[length]
input positions: int32[length]      # 0, 1, ..., length - 1

block transformer(x, dim, heads, hidden) {
    attn = MultiHeadAttention(num_heads=heads, key_dim=dim // heads)(x, x)
    h = add(x, attn) -> LayerNormalization(epsilon=1e-6)
    f = h -> Dense(hidden, activation="gelu") -> Dense(dim)
    return add(h, f) -> LayerNormalization(epsilon=1e-6)
}

tok = tokens -> Embedding(vocab, dim)
pos = positions -> Embedding(length, dim)
x = add(tok, pos)

output label = x
    -> repeat(depth, transformer(dim, heads, 2 * dim))
    -> GlobalAveragePooling1D()
    -> Dropout(0.1)
    -> Dense(2, activation="softmax")
    loss sparse_categorical_crossentropy metrics [accuracy]

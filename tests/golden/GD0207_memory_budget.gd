# args: --max-memory 256M
# The embedding's weights, their gradients and Adam's two slots per weight: 4 x 122 MiB.
param vocab = 1000000

input words: int32[20]

output topic = words
    -> Embedding(vocab, 32)
    -> GlobalAveragePooling1D()
    -> Dense(5, activation="softmax")
    loss categorical_crossentropy

optimizer adam

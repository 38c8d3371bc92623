# args: -D vocabb=10
# Classify short texts into five topics.
param vocab = 5000

input words: int32[40]

output topic = words
    -> Embedding(vocab, 64)
    -> GlobalAveragePooling1D()
    -> Dense(5, activation="softmax")
    loss categorical_crossentropy

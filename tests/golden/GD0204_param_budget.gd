# args: --max-params 1000
# Classify short texts into five topics.
input words: int32[40]

output topic = words
    -> Embedding(5000, 64)
    -> GlobalAveragePooling1D()
    -> Dense(5, activation="softmax")
    loss categorical_crossentropy

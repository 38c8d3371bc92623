# Keras's second names for layers get the one graphdsl spelling.
input words: int32[40]

output topic = words
    -> Embedding(5000, 32)
    -> GlobalAvgPool1D()
    -> Dense(5, activation="softmax")
    loss categorical_crossentropy

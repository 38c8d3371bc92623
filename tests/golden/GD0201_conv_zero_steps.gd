# Classify a short sensor trace.
input trace: float32[4, 3]

output kind = trace
    -> Conv1D(16, 5, activation="relu")
    -> GlobalMaxPooling1D()
    -> Dense(4, activation="softmax")
    loss categorical_crossentropy

# Classify a sensor trace.
input trace: float32[128, 3]

output kind = trace
    -> Conv1d(32, 5, activation="relu")
    -> GlobalMaxPooling1D()
    -> Dense(4, activation="softmax")
    loss categorical_crossentropy

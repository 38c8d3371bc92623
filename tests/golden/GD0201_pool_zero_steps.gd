# Classify a short sensor trace.
input trace: float32[12, 3]

output kind = trace
    -> Conv1D(16, 3, activation="relu")
    -> MaxPooling1D(5)
    -> MaxPooling1D(5)
    -> GlobalMaxPooling1D()
    -> Dense(4, activation="softmax")
    loss categorical_crossentropy

# Classify a sensor trace.
input trace: float32[128, 3]

output kind = trace
    -> Conv1D(32, 5, activation="relu")
    -> MaxPooling1D(2, 2, "valid", "channels_last", 4)
    -> GlobalMaxPooling1D()
    -> Dense(4, activation="softmax")
    loss categorical_crossentropy

# Classify tabular rows.
input features: float32[12]

output label = features -> Dense(4, activation="softmax") loss binary_crossentropy

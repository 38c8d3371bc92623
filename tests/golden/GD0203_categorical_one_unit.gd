# Classify tabular rows.
input features: float32[12]

output label = features -> Dense(1, activation="softmax") loss categorical_crossentropy

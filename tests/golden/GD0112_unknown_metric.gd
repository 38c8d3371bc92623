# Classify tabular rows into three groups.
input features: float32[12]

output group = features -> Dense(3, activation="softmax")
    loss categorical_crossentropy metrics [acuracy]

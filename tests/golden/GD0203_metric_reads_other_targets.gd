# A metric reads the loss's targets: class ids here, not one-hot rows
input x: float32[20]

output kind = x -> Dense(5, activation="softmax")
    loss sparse_categorical_crossentropy metrics [categorical_accuracy]

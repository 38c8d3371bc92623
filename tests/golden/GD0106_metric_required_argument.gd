# MeanIoU has no default number of classes.
input x: float32[8]

output segment = x -> Dense(4, activation="softmax")
    loss sparse_categorical_crossentropy
    metrics [accuracy, mean_io_u]

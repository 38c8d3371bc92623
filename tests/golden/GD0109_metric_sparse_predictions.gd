# MeanIoU reads predictions as class ids unless told otherwise; a softmax output holds scores.
input x: float32[8]

output segment = x -> Dense(4, activation="softmax")
    loss sparse_categorical_crossentropy
    metrics [mean_io_u(num_classes=4)]

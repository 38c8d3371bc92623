# glu halves the last axis, but Keras's layers declare the unhalved shape: the next layer is built wrong
input x: float32[8]

output y = x -> Dense(8, activation="glu") -> Dense(1)
    loss mse

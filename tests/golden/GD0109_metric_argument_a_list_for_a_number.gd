# A list where Keras wants one number.
input x: float32[8]

output spam = x -> Dense(1, activation="sigmoid")
    loss binary_crossentropy
    metrics [binary_accuracy(threshold=[0.3, 0.7])]

# precision(class_id=...) counts one of the output's units: there are 3.
input x: float32[8]

output tags = x -> Dense(3, activation="sigmoid")
    loss binary_crossentropy
    metrics [precision(class_id=3), recall(class_id=2)]

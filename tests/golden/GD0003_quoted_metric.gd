# metrics are names, not strings (Keras habit: metrics=["accuracy"])
input x: float32[4]

output y = x -> Dense(1, activation="sigmoid")
    loss binary_crossentropy metrics [accuracy, "auc"]

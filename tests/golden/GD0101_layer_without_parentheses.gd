# a layer named without () (Keras habit: the class, not a call)
input x: float32[4, 4]

output y = x -> Flatten -> Dense(1)
    loss mse

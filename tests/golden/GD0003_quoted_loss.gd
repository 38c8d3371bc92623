# losses are names, not strings (Keras habit: loss="mse")
input x: float32[4]

output y = x -> Dense(1)
    loss "mse"

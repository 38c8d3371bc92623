# gelu has no integer kernel in Keras: an Activation layer does not cast integers
input counts: int32[6]

output y = counts -> Activation("gelu") -> Dense(1)
    loss mse

# Keras clips gradients one way at a time.
input x: float32[8]

output y = x -> Dense(1)
    loss mse

optimizer adam(clipnorm=1.0, clipvalue=0.5)

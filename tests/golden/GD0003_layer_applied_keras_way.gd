# a layer applied as in Keras's functional API: graphdsl chains it
input x: float32[4]

h = Dense(8)(x)
output y = h -> Dense(1)
    loss mse

# 'return' gives back a block's tensors; the program names its results with 'output'.
input x: float32[8]

h = x -> Dense(4)
return h

output y = h -> Dense(1)
    loss mse

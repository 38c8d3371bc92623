# Tensor arithmetic broadcasts as numpy does: (None, 16) and (None, 8) do not fit.
input a: float32[16]
input b: float32[8]

s = a + b
output y = s -> Dense(1)
    loss mse

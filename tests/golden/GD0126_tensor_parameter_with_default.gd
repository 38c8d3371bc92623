# Only constant parameters have defaults: a tensor is always given by the call.
input x: float32[16]

block head(x = 3, units = 8) {
    return x -> Dense(units)
}

output y = x -> head() -> Dense(1)
    loss mse

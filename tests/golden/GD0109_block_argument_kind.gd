# A block's tensor parameter takes a tensor; its constant parameters take constants.
input x: float32[16]

block dense(x, units) {
    return x -> Dense(units)
}

output y = dense(4, x)
    loss mse

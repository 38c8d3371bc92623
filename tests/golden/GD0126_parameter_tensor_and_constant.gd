# A parameter is a tensor or a constant, never both.
input x: float32[16]

block scale(x, units) {
    h = x -> Dense(units)
    return add(h, units)
}

output y = x -> scale(16) -> Dense(1)
    loss mse

# A block nobody calls (a warning): perhaps a call was forgotten.
input x: float32[16]

block residual(x, width) {
    h = x -> Dense(width, activation="relu") -> Dense(width)
    return add(x, h)
}

output y = x -> Dense(1)
    loss mse

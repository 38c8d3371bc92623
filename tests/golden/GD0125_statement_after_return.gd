# Nothing may follow 'return' in a block's body.
input x: float32[16]

block mlp(x, width) {
    h = x -> Dense(width, activation="relu")
    return h
    g = h -> Dense(width)
}

output y = x -> mlp(32) -> Dense(1)
    loss mse

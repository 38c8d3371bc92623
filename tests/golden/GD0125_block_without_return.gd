# A block must end with the tensors it gives back.
input x: float32[16]

block mlp(x, width) {
    h = x -> Dense(width, activation="relu") -> Dense(width)
}

output y = x -> mlp(32) -> Dense(1)
    loss mse

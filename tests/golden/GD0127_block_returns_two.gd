# A block that returns two tensors is unpacked before a chain goes on.
input x: float32[16]

block split(x) {
    a = x -> Dense(8)
    b = x -> Dense(8)
    return a, b
}

output y = x -> split() -> Dense(1)
    loss mse

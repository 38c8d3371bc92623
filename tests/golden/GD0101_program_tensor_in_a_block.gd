# A block sees its parameters, not the program's tensors: pass them in.
input x: float32[16]
input side: float32[16]

block fuse(x) {
    return add(x, side) -> Dense(8)
}

output y = x -> fuse() -> Dense(1)
    loss mse

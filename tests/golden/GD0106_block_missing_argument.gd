# A block's parameter without a default must be given.
input x: float32[16]

block dense(x, units, rate = 0.1) {
    return x -> Dense(units) -> Dropout(rate)
}

output y = x -> dense(rate=0.2) -> Dense(1)
    loss mse

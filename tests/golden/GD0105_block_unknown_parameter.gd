# Block calls bind arguments like layers: an unknown keyword gets a "did you mean".
input x: float32[16]

block dense(x, units, rate = 0.1) {
    return x -> Dense(units) -> Dropout(rate)
}

output y = x -> dense(8, rat=0.2) -> Dense(1)
    loss mse

# Two views of a row, joined.
input a: float32[16]
input b: float32[16]

output y = concatenate(a, b) -> Dense(1) loss mse

# (once a bug) the arguments of a merge used as a step are also reported as misplaced tensors (GD0116)
# Two views of a row, added together.
input a: float32[16]
input b: float32[16]

output y = a -> concat(b) -> Dense(1) loss mse

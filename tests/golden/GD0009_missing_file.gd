# args: tests/golden/no_such_program.gd
# exit: 2
# One of the files named on the command line does not exist; the others are still checked.
input x: float32[8]

output y = x -> Dense(1)
    loss mse

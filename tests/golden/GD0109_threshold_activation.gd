# the threshold activation needs arguments a name cannot give
input x: float32[4]

output y = x -> Dense(3, activation="threshold")
    loss mse

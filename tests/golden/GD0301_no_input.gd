# A model with nothing to read.
param width = 8

output y = x -> Dense(width) loss mse

# (once a bug) the refused dimension becomes unknown, and Dense then reports an unknown last axis
# A regressor over eight features.
input x: float32[8.5]

output y = x -> Dense(1) loss mse

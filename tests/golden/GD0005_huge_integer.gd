# (once a bug) the too-large literal becomes 0, and Dense then also reports "got 0"
# A regressor with an absurd layer width.
input x: float32[8]

output y = x -> Dense(99999999999999999999999999999999999999) -> Dense(1) loss mse

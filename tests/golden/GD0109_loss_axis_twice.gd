# Axes 1 and -1 of a (None, 3) output are the same axis.
input x: float32[8]

output mask = x -> Dense(3, activation="sigmoid")
    loss dice(axis=(1, -1))

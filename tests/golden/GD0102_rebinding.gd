# x = x -> ... reassigns a Python variable; a graphdsl name is bound once
input x: float32[4]

x = x -> Dense(8)
output y = x -> Dense(1)
    loss mse

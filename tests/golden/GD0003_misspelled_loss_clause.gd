# a misspelled output clause: did you mean loss?
input x: float32[4]

output y = x -> Dense(1)
    losss mse

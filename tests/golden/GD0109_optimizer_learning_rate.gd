# A learning rate must be positive (an integer is fine: it is taken as the float it means).
input x: float32[8]

output y = x -> Dense(1)
    loss mse

optimizer adam(learning_rate=0, beta_1=0.9)

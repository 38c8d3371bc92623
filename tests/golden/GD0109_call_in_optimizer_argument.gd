# An optimizer given a learning-rate schedule, which graphdsl does not take.
input x: float32[4]
output y = x -> Dense(1) loss mse
optimizer adam(learning_rate=ExponentialDecay(0.1))

# Keras's merge layer class called on a list: graphdsl's merges are functions
input a: float32[4]
input b: float32[4]

both = Concatenate()([a, b])
output y = both -> Dense(1)
    loss mse

# Keras normalizes integers, but the scale and offset then get no gradient: they never train
input counts: int32[6]

output y = counts -> LayerNormalization() -> Dense(1)
    loss mse

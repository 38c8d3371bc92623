# A Keras object takes its kind from the layer argument it is given to: it is written there,
# never held by a param.
param init = VarianceScaling(2.0, "fan_out", "truncated_normal")

input features: float32[12]

output price = features -> Dense(1, kernel_initializer=init) loss mse

# A classifier whose first layer is initialized by fan-out.
input pixels: float32[784]

output digit = pixels
    -> Dense(256, kernel_initializer=VarianceScaling(2.0, "fan_outt"), kernel_constraint=MaxNorm(-3))
    -> Dense(10, activation="softmax")
    loss categorical_crossentropy

# A classifier whose first layer is initialized by fan-out.
input pixels: float32[784]

output digit = pixels
    -> Dense(256, activation="relu", kernel_initializer=VarianceScaling(scale=2.0, mdoe="fan_out"))
    -> Dense(10, activation="softmax")
    loss categorical_crossentropy

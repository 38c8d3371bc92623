# A classifier whose first layer is initialized for ReLU units.
input pixels: float32[784]

output digit = pixels
    -> Dense(256, activation="relu", kernel_initializer=HeNormall(seed=1))
    -> Dense(10, activation="softmax")
    loss categorical_crossentropy

# the identity initializer fills 2-D weights only; a Conv2D kernel has 4 axes
input image: float32[8, 8, 1]

output y = image
    -> Conv2D(4, 3, kernel_initializer="identity")
    -> GlobalAveragePooling2D()
    -> Dense(1)
    loss mse

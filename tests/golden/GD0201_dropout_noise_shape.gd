# An image classifier that drops whole feature maps.
input image: float32[32, 32, 3]

output label = image
    -> Conv2D(16, 3, activation="relu")
    -> Dropout(0.2, noise_shape=(None, 1, 1))
    -> GlobalAveragePooling2D()
    -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

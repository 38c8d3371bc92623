# MobileNetV3-style arithmetic feeding a LayerScale: Keras marks `x * 0.5` sparse and LayerScale loses its shape.
input image: float32[8, 8, 16]

block scaled(x, s) {
    y = x * s
    return y -> LayerScale(1e-6, 16)
}

features = image -> Conv2D(16, 3, padding="same") -> scaled(0.5)
output label = features -> GlobalAveragePooling2D() -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

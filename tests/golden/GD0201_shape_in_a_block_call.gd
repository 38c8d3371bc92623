# A mistake that depends on the call: reported in the body, with the calls that led there.
input image: float32[8, 8, 3]

block conv(x, filters, kernel) {
    return x -> Conv2D(filters, kernel)
}

block stage(x, filters) {
    a = x -> conv(filters, 3)
    return a -> conv(filters, 9)
}

output label = image -> stage(16) -> GlobalAveragePooling2D() -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

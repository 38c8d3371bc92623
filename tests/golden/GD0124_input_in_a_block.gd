# A block's body holds tensor bindings and layer declarations; an input belongs to the program.
input image: float32[32, 32, 3]

block stem(x) {
    input mask: float32[32, 32, 1]
    y = x -> Conv2D(16, 3, padding="same")
    return y
}

output label = image -> stem() -> GlobalAveragePooling2D() -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

# ResNet50 (keras.applications.ResNet50(weights=None)): 25,636,712 parameters.
model resnet50

param size = 224
param classes = 1000

input image: float32[size, size, 3]

block conv_bn(x, filters, kernel = 1, strides = 1, padding = "valid") {
    return x
        -> Conv2D(filters, kernel, strides=strides, padding=padding)
        -> BatchNormalization(axis=3, epsilon=1.001e-5)
}

# 1x1 down to `filters`, 3x3, 1x1 up to 4 * filters
block bottleneck(x, filters, strides = 1) {
    return x
        -> conv_bn(filters, strides=strides)
        -> Activation("relu")
        -> conv_bn(filters, 3, padding="same")
        -> Activation("relu")
        -> conv_bn(4 * filters)
}

# the first block of a stage: a projection shortcut
block project(x, filters, strides = 2) {
    shortcut = x -> conv_bn(4 * filters, strides=strides)
    y = x -> bottleneck(filters, strides)
    return add(shortcut, y) -> Activation("relu")
}

block identity(x, filters) {
    y = x -> bottleneck(filters)
    return add(x, y) -> Activation("relu")
}

block stage(x, filters, blocks, strides = 2) {
    return x
        -> project(filters, strides)
        -> repeat(blocks - 1, identity(filters))
}

features = image
    -> ZeroPadding2D(((3, 3), (3, 3)))
    -> conv_bn(64, 7, strides=2)
    -> Activation("relu")
    -> ZeroPadding2D(((1, 1), (1, 1)))
    -> MaxPooling2D(3, strides=2)
    -> stage(64, 3, strides=1)
    -> stage(128, 4)
    -> stage(256, 6)
    -> stage(512, 3)

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")

# Xception (keras.applications.Xception(weights=None)): 22,910,480 parameters.
model xception

param size = 299
param classes = 1000

input image: float32[size, size, 3]

block sep_bn(x, filters) {
    return x
        -> SeparableConv2D(filters, 3, padding="same", use_bias=False)
        -> BatchNormalization()
}

block relu_sep_bn(x, filters) {
    return x -> Activation("relu") -> sep_bn(filters)
}

block shortcut(x, filters) {
    return x
        -> Conv2D(filters, 1, strides=2, padding="same", use_bias=False)
        -> BatchNormalization()
}

# entry and exit flow: two separable convolutions and a strided pool, a 1x1 strided shortcut
block down(x, filters, last) {
    residual = x -> shortcut(last)
    y = x
        -> relu_sep_bn(filters)
        -> relu_sep_bn(last)
        -> MaxPooling2D(3, strides=2, padding="same")
    return add(y, residual)
}

# middle flow: three separable convolutions around an identity shortcut
block middle(x, filters) {
    y = x -> repeat(3, relu_sep_bn(filters))
    return add(y, x)
}

stem = image
    -> Conv2D(32, 3, strides=2, use_bias=False)
    -> BatchNormalization()
    -> Activation("relu")
    -> Conv2D(64, 3, use_bias=False)
    -> BatchNormalization()
    -> Activation("relu")
residual = stem -> shortcut(128)
block2 = stem
    -> sep_bn(128)
    -> Activation("relu")
    -> sep_bn(128)
    -> MaxPooling2D(3, strides=2, padding="same")
entry = add(block2, residual)

features = entry
    -> down(256, 256)
    -> down(728, 728)
    -> repeat(8, middle(728))
    -> down(728, 1024)
    -> sep_bn(1536)
    -> Activation("relu")
    -> sep_bn(2048)
    -> Activation("relu")

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")

# MobileNetV2 (keras.applications.MobileNetV2(weights=None), alpha 1.0): 3,538,984 parameters.
model mobilenet_v2

param size = 224
param classes = 1000

input image: float32[size, size, 3]

block conv_bn(x, filters, kernel = 1, strides = 1, padding = "same") {
    return x
        -> Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)
        -> BatchNormalization(epsilon=0.001, momentum=0.999)
}

block depthwise(x, strides = 1, padding = "same") {
    return x
        -> DepthwiseConv2D(3, strides=strides, padding=padding, use_bias=False)
        -> BatchNormalization(epsilon=0.001, momentum=0.999)
        -> ReLU(6.0)
}

# expand 6x, filter each channel, project: the inverted residual without its residual
block inverted(x, cin, cout) {
    return x
        -> conv_bn(6 * cin)
        -> ReLU(6.0)
        -> depthwise()
        -> conv_bn(cout)
}

block inverted_down(x, cin, cout) {
    return x
        -> conv_bn(6 * cin)
        -> ReLU(6.0)
        -> ZeroPadding2D(((0, 1), (0, 1)))
        -> depthwise(2, "valid")
        -> conv_bn(cout)
}

block inverted_res(x, channels) {
    y = x -> inverted(channels, channels)
    return add(x, y)
}

features = image
    -> conv_bn(32, 3, strides=2)
    -> ReLU(6.0)
    -> depthwise()
    -> conv_bn(16)
    -> inverted_down(16, 24)
    -> inverted_res(24)
    -> inverted_down(24, 32)
    -> repeat(2, inverted_res(32))
    -> inverted_down(32, 64)
    -> repeat(3, inverted_res(64))
    -> inverted(64, 96)
    -> repeat(2, inverted_res(96))
    -> inverted_down(96, 160)
    -> repeat(2, inverted_res(160))
    -> inverted(160, 320)
    -> conv_bn(1280, padding="valid")
    -> ReLU(6.0)

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")

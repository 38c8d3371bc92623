# EfficientNetB0 (keras.applications.EfficientNetB0(weights=None)): 5,330,571 parameters.
model efficientnet_b0

param size = 224
param classes = 1000
param blocks = 16            # MBConv blocks; block b drops its residual at rate 0.2 * b / blocks

input image: float32[size, size, 3]

block conv_bn(x, filters, kernel = 1, strides = 1, padding = "same") {
    return x
        -> Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False, kernel_initializer=VarianceScaling(2.0, "fan_out", "truncated_normal"))
        -> BatchNormalization(axis=3)
}

block depthwise(x, kernel, strides = 1, padding = "same") {
    return x
        -> DepthwiseConv2D(kernel, strides=strides, padding=padding, use_bias=False, depthwise_initializer=VarianceScaling(2.0, "fan_out", "truncated_normal"))
        -> BatchNormalization(axis=3)
        -> Activation("swish")
}

# squeeze and excitation: channel weights from the pooled features
block squeeze_excite(x, filters, reduced) {
    se = x
        -> GlobalAveragePooling2D()
        -> Reshape((1, 1, filters))
        -> Conv2D(reduced, 1, padding="same", activation="swish", kernel_initializer=VarianceScaling(2.0, "fan_out", "truncated_normal"))
        -> Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=VarianceScaling(2.0, "fan_out", "truncated_normal"))
    return multiply(x, se)
}

# MBConv: expand 6x, depthwise, squeeze-excite, project (the first block does not expand)
block mbconv(x, cin, cout, kernel) {
    return x
        -> conv_bn(6 * cin)
        -> Activation("swish")
        -> depthwise(kernel)
        -> squeeze_excite(6 * cin, cin // 4)
        -> conv_bn(cout)
}

block mbconv_down(x, cin, cout, kernel, pad) {
    return x
        -> conv_bn(6 * cin)
        -> Activation("swish")
        -> ZeroPadding2D(pad)
        -> depthwise(kernel, 2, "valid")
        -> squeeze_excite(6 * cin, cin // 4)
        -> conv_bn(cout)
}

block mbconv_res(x, channels, kernel, b) {
    y = x
        -> mbconv(channels, channels, kernel)
        -> Dropout(0.2 * b / blocks, noise_shape=(None, 1, 1, 1))
    return add(y, x)
}

stem = image
    -> Rescaling(1 / 255)
    -> Normalization(axis=3)
    -> ZeroPadding2D(((0, 1), (0, 1)))
    -> conv_bn(32, 3, strides=2, padding="valid")
    -> Activation("swish")

features = stem
    -> depthwise(3)
    -> squeeze_excite(32, 8)
    -> conv_bn(16)
    -> mbconv_down(16, 24, 3, ((0, 1), (0, 1)))
    -> mbconv_res(24, 3, 2)
    -> mbconv_down(24, 40, 5, ((1, 2), (1, 2)))
    -> mbconv_res(40, 5, 4)
    -> mbconv_down(40, 80, 3, ((0, 1), (0, 1)))
    -> mbconv_res(80, 3, 6)
    -> mbconv_res(80, 3, 7)
    -> mbconv(80, 112, 5)
    -> mbconv_res(112, 5, 9)
    -> mbconv_res(112, 5, 10)
    -> mbconv_down(112, 192, 5, ((1, 2), (1, 2)))
    -> mbconv_res(192, 5, 12)
    -> mbconv_res(192, 5, 13)
    -> mbconv_res(192, 5, 14)
    -> mbconv(192, 320, 3)
    -> conv_bn(1280)
    -> Activation("swish")

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dropout(0.2)
    -> Dense(classes, activation="softmax", kernel_initializer=VarianceScaling(1 / 3, "fan_out", "uniform"))

# A small ResNet for 32x32 colour images.
model tiny_resnet

param classes = 10
param width = 32

input image: float32[32, 32, 3]

block conv_bn(x, filters, kernel = 3, strides = 1) {
    y = x
        -> Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)
        -> BatchNormalization()
    return y
}

block residual(x, filters) {
    a = x -> conv_bn(filters) -> ReLU() -> conv_bn(filters)
    return add(x, a) -> ReLU()
}

block downsample(x, filters) {
    a = x -> conv_bn(filters, strides=2) -> ReLU() -> conv_bn(filters)
    skip = x -> conv_bn(filters, kernel=1, strides=2)
    return add(skip, a) -> ReLU()
}

stem = image -> conv_bn(width) -> ReLU()
stage1 = stem -> repeat(2, residual(width))
stage2 = stage1 -> downsample(2 * width) -> residual(2 * width)
stage3 = stage2 -> downsample(4 * width) -> residual(4 * width)

output label = stage3
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")
    loss sparse_categorical_crossentropy metrics [accuracy]

optimizer adam(learning_rate=0.001)

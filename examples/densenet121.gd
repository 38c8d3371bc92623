# DenseNet121 (keras.applications.DenseNet121(weights=None)): 8,062,504 parameters.
model densenet121

param size = 224
param classes = 1000
param growth = 32

input image: float32[size, size, 3]

block bn_relu(x) {
    return x
        -> BatchNormalization(axis=3, epsilon=1.001e-5)
        -> Activation("relu")
}

# each layer of a dense block sees every earlier one: its output is concatenated on
block conv_block(x, growth) {
    y = x
        -> bn_relu
        -> Conv2D(4 * growth, 1, use_bias=False)
        -> bn_relu
        -> Conv2D(growth, 3, padding="same", use_bias=False)
    return concat(x, y, axis=3)
}

block transition(x, filters) {
    return x
        -> bn_relu
        -> Conv2D(filters, 1, use_bias=False)
        -> AveragePooling2D(2, strides=2)
}

features = image
    -> ZeroPadding2D(((3, 3), (3, 3)))
    -> Conv2D(64, 7, strides=2, use_bias=False)
    -> bn_relu
    -> ZeroPadding2D(((1, 1), (1, 1)))
    -> MaxPooling2D(3, strides=2)
    -> repeat(6, conv_block(growth))
    -> transition(128)
    -> repeat(12, conv_block(growth))
    -> transition(256)
    -> repeat(24, conv_block(growth))
    -> transition(512)
    -> repeat(16, conv_block(growth))
    -> bn_relu

output predictions = features
    -> GlobalAveragePooling2D()
    -> Dense(classes, activation="softmax")

# keras-io's Siamese network: two images through one shared convolutional tower, compared by
# cosine similarity: 5,324 parameters.
model siamese

param size = 28

input left: float32[size, size, 1]
input right: float32[size, size, 1]

# the tower's layers are declared once, so both images go through the same weights
layer normalize = BatchNormalization()
layer conv1 = Conv2D(4, 5, activation="tanh")
layer pool1 = AveragePooling2D(2)
layer conv2 = Conv2D(16, 5, activation="tanh")
layer pool2 = AveragePooling2D(2)
layer flatten = Flatten()
layer normalize_features = BatchNormalization()
layer embed = Dense(10, activation="tanh")

block tower(x) {
    return x
        -> normalize
        -> conv1
        -> pool1
        -> conv2
        -> pool2
        -> flatten
        -> normalize_features
        -> embed
}

a = left -> tower
b = right -> tower

output same = dot(a, b, axes=1, normalize=True)
    -> BatchNormalization()
    -> Dense(1, activation="sigmoid")
    loss binary_crossentropy metrics [accuracy]

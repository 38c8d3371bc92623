# A U-Net for image segmentation, upsampling with transposed convolutions: 31,031,745 parameters.
model unet

param size = 128
param classes = 1

input image: float32[size, size, 3]

block conv_block(x, filters) {
    return x
        -> Conv2D(filters, 3, padding="same", activation="relu")
        -> Conv2D(filters, 3, padding="same", activation="relu")
}

# down: the features before pooling are the skip connection to the matching decoder
block encoder(x, filters) {
    skip = x -> conv_block(filters)
    pooled = skip -> MaxPooling2D(2)
    return skip, pooled
}

block decoder(x, skip, filters) {
    up = x -> Conv2DTranspose(filters, 2, strides=2, padding="same")
    return concat(up, skip) -> conv_block(filters)
}

s1, p1 = image -> encoder(64)
s2, p2 = p1 -> encoder(128)
s3, p3 = p2 -> encoder(256)
s4, p4 = p3 -> encoder(512)
bridge = p4 -> conv_block(1024)
d1 = decoder(bridge, s4, 512)
d2 = decoder(d1, s3, 256)
d3 = decoder(d2, s2, 128)
d4 = decoder(d3, s1, 64)

output mask = d4 -> Conv2D(classes, 1, activation="sigmoid")
    loss binary_crossentropy metrics [accuracy]

optimizer adam

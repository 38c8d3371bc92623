# A ? dimension no size fits: the padded steps never equal the unpadded ones
input frames: float32[?, 16]

padded = frames -> ZeroPadding1D(2)
both = concat(frames, padded)

output score = both -> GlobalMaxPooling1D() -> Dense(1)
    loss mse

# RandomCrop crops only while training: the Dense after Flatten was built for the cropped size
input image: float32[32, 32, 3]

features = image -> RandomCrop(24, 24) -> Flatten()

output label = features -> Dense(10, activation="softmax")
    loss sparse_categorical_crossentropy

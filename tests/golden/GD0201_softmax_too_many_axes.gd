# TensorFlow's softmax takes at most 5 axes, the batch's included
input volume: float32[4, 4, 4, 2]

scores = volume -> Dense(8) -> Reshape((4, 4, 4, 2, 4))
output p = scores -> Softmax()
    loss categorical_crossentropy

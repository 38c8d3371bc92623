# Keras drops Huber's delta when it saves a model: it would reload as delta=1.0, a different model.
input x: float32[8]

output price = x -> Dense(16, activation="relu") -> Dense(1)
    loss huber(delta=2.0)

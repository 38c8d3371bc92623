# Keras cannot divide an Embedding's sparse gradients by loss_scale_factor
input tokens: int32[12]

output score = tokens -> Embedding(100, 8) -> GlobalAveragePooling1D() -> Dense(1)
    loss mse

optimizer adam(loss_scale_factor=128.0)

# Keras 1's argument names, answered with Keras 3's
input image: float32[8, 8, 1]

output y = image -> Conv2D(4, 3, border_mode="same", init="he_normal") -> Flatten() -> Dense(1)
    loss mse

# A residual MLP for tabular regression: two blocks, each adding its input back.
model residual_mlp

param width = 64
param rate = 0.1

input features: float32[20]

h0 = features -> Dense(width, activation="relu")

b1 = h0
    -> LayerNormalization()
    -> Dense(width, activation="relu")
    -> Dropout(rate)
    -> Dense(width)
r1 = add(h0, b1)

b2 = r1
    -> LayerNormalization()
    -> Dense(width, activation="relu")
    -> Dropout(rate)
    -> Dense(width)
r2 = add(r1, b2)

output price = r2 -> Dense(1)
    loss huber weight 1.0 metrics [mae]

optimizer adam(learning_rate=0.001)

# Keras's F1Score, FBetaScore and R2Score take (batch, features) outputs only
input frames: float32[10, 4]

output tags = frames -> Dense(3, activation="sigmoid")
    loss binary_crossentropy metrics [f1_score]

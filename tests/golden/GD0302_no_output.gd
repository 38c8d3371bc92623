# Features, but nothing to predict.
input features: float32[12]

hidden = features -> Dense(32, activation="relu")

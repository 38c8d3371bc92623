# Summarise a fixed set of features with a recurrent layer.
input features: float32[12]

output score = features -> LSTM(16) -> Dense(1) loss mse

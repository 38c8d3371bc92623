# CTC reads (batch, steps, classes)
input audio: float32[50, 13]

output text = audio -> LSTM(32) -> Dense(28, activation="softmax")
    loss ctc

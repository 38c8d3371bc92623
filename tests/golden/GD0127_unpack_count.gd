# LSTM(return_state=True) returns three tensors: the output and the states h and c.
input tokens: int32[?]

seq, state = tokens
    -> Embedding(1000, 32)
    -> LSTM(64, return_state=True)

output y = seq -> Dense(1)
    loss mse

# An encoder whose final states are wanted, written as a plain chain.
input tokens: int32[?]

output code = tokens
    -> Embedding(1000, 32)
    -> LSTM(64, return_state=True)
    -> Dense(16)
    loss mse

# '_' discards a value: it cannot be used afterwards.
input tokens: int32[?]

_, h, c = tokens
    -> Embedding(1000, 32)
    -> LSTM(64, return_state=True)

output y = concat(h, _) -> Dense(1)
    loss mse

# Predict how a news headline will be received, with an auxiliary loss.
model news

input main_input: int32[100]       # 100 word ids, vocabulary of 10,000
input aux_input: float32[5]        # extra data, e.g. the hour of publication

lstm_out = main_input -> Embedding(10000, 512) -> LSTM(32)

output aux_output = lstm_out -> Dense(1, activation="sigmoid")
    loss binary_crossentropy weight 0.2

output main_output = concat(lstm_out, aux_input)
    -> Dense(64, activation="relu")
    -> Dense(64, activation="relu")
    -> Dense(64, activation="relu")
    -> Dense(1, activation="sigmoid")
    loss binary_crossentropy weight 1.0

optimizer rmsprop

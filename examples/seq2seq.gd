# keras-io's character-level LSTM seq2seq: the encoder's final states start the decoder:
# 718,173 parameters.
model seq2seq

param encoder_tokens = 71          # the characters of the data set: -D to change
param decoder_tokens = 93
param latent_dim = 256

input encoder_inputs: float32[?, encoder_tokens]     # one-hot characters
input decoder_inputs: float32[?, decoder_tokens]     # the target, shifted right

_, h, c = encoder_inputs -> LSTM(latent_dim, return_state=True)
seq, _, _ = LSTM(latent_dim, return_sequences=True, return_state=True)(decoder_inputs, initial_state=[h, c])

output next_char = seq -> Dense(decoder_tokens, activation="softmax")
    loss categorical_crossentropy metrics [accuracy]

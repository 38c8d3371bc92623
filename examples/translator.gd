# Translate: an LSTM encoder hands its final state to an LSTM decoder.
model translator

param src_vocab = 8000
param tgt_vocab = 8000
param dim = 256

input source: int32[?]
input target: int32[?]              # the target sequence, shifted right

_, h, c = source
    -> Embedding(src_vocab, dim, mask_zero=True)
    -> LSTM(dim, return_state=True)
emb = target -> Embedding(tgt_vocab, dim, mask_zero=True)
dec = LSTM(dim, return_sequences=True)(emb, initial_state=[h, c])

output next_token = dec -> Dense(tgt_vocab, activation="softmax")
    loss sparse_categorical_crossentropy metrics [accuracy]

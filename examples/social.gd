# Predict a user's age, income group and gender from their posts.
model social

param vocab = 50000
param income_groups = 10

input posts: int32[?]              # a variable-length sequence of word ids

features = posts
    -> Embedding(vocab, 256)
    -> Conv1D(128, 5, activation="relu")
    -> MaxPooling1D(5)
    -> Conv1D(256, 5, activation="relu")
    -> Conv1D(256, 5, activation="relu")
    -> MaxPooling1D(5)
    -> Conv1D(256, 5, activation="relu")
    -> Conv1D(256, 5, activation="relu")
    -> GlobalMaxPooling1D()
    -> Dense(128, activation="relu")

output age = features -> Dense(1)
    loss mse weight 0.25
output income = features -> Dense(income_groups, activation="softmax")
    loss categorical_crossentropy weight 1.0 metrics [accuracy]
output gender = features -> Dense(1, activation="sigmoid")
    loss binary_crossentropy weight 10.0 metrics [accuracy]

optimizer rmsprop

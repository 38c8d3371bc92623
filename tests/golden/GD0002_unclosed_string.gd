# (once a bug) the unclosed string swallows the ")", and a second error (GD0003) and a warning follow
# Score a review from its word ids.
input words: int32[60]

features = words -> Embedding(8000, 32) -> GlobalAveragePooling1D()

output score = features -> Dense(1, activation="sigmoid) loss binary_crossentropy

# (once a bug) a syntax error hides the statement's uses: 'words' is reported as never used
# Score a review from its word ids.
input words: int32[60]

features = words -> Embedding(8000, 32) GlobalAveragePooling1D()

output score = features -> Dense(1, activation="sigmoid") loss binary_crossentropy

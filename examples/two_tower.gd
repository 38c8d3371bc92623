# A two-tower retrieval model: a query and a document share one text encoder;
# their cosine similarity predicts a click.
model two_tower

param vocab = 20000
param dim = 64

input query: int32[12]
input document: int32[200]

layer embed = Embedding(vocab, dim)
layer encode = Bidirectional(GRU(dim), merge_mode="concat")

q = query -> embed -> encode -> Dense(dim)
d = document
    -> embed
    -> SpatialDropout1D(0.2)
    -> encode
    -> Dense(dim)

similarity = dot(q, d, axes=1, normalize=True)

output click = similarity -> Dense(1, activation="sigmoid")
    loss binary_crossentropy metrics [accuracy, auc]

optimizer adam(learning_rate=0.0005)

# A Wide&Deep recommender: a linear model on one-hot categories beside an MLP on embeddings of
# three categorical inputs: 301,668 parameters.
model wide_deep

param users = 10000
param items = 5000
param categories = 50
param numeric = 8
param dim = 16

input user: int32[1]
input item: int32[1]
input category: int32[1]
input features: float32[numeric]

block embedded(ids, count) {
    return ids -> Embedding(count, dim) -> Flatten()
}

block dense_dropout(x, units) {
    return x -> Dense(units, activation="relu") -> Dropout(0.2)
}

category_hot = category -> CategoryEncoding(categories, output_mode="one_hot")
item_hot = item -> CategoryEncoding(items, output_mode="one_hot")
wide = concat(category_hot, item_hot, features) -> Dense(1)

u = user -> embedded(users)
i = item -> embedded(items)
c = category -> embedded(categories)
deep = concat(u, i, c, features)
    -> dense_dropout(256)
    -> dense_dropout(128)
    -> dense_dropout(64)
    -> Dense(1)

output clicked = add(wide, deep) -> Activation("sigmoid")
    loss binary_crossentropy metrics [auc]

optimizer adam

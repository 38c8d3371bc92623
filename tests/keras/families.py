"""The hand-written Keras references of the model families in examples/ that keras.applications
does not hold, written as a Keras user writes them (functions for blocks, a loop for repeats): the
U-Net, the Transformer text classifier (keras-io's "Text classification with Transformer"), the
LSTM seq2seq with states (keras-io's character-level translator), the Wide&Deep model and the
Siamese network. ``tests/keras/test_families_keras.py`` compares each with its example.
"""

from __future__ import annotations

import keras
from keras import layers


def unet(size: int = 128, channels: int = 3, classes: int = 1) -> keras.Model:
    """examples/unet.gd: the original U-Net's shape (Ronneberger et al.), transposed convolutions up."""

    def conv_block(x, filters):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)

    def encoder_block(x, filters):
        skip = conv_block(x, filters)
        return skip, layers.MaxPooling2D(2)(skip)

    def decoder_block(x, skip, filters):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skip])
        return conv_block(x, filters)

    image = keras.Input(shape=(size, size, channels), name="image")
    s1, p1 = encoder_block(image, 64)
    s2, p2 = encoder_block(p1, 128)
    s3, p3 = encoder_block(p2, 256)
    s4, p4 = encoder_block(p3, 512)
    b = conv_block(p4, 1024)
    d1 = decoder_block(b, s4, 512)
    d2 = decoder_block(d1, s3, 256)
    d3 = decoder_block(d2, s2, 128)
    d4 = decoder_block(d3, s1, 64)
    mask = layers.Conv2D(classes, 1, activation="sigmoid", name="mask")(d4)
    model = keras.Model(image, mask, name="unet")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def transformer_classifier(vocab: int = 20000, maxlen: int = 200, embed_dim: int = 32, num_heads: int = 2,
                           ff_dim: int = 32) -> keras.Model:
    """examples/transformer_classifier.gd: keras-io's Transformer text classifier, its
    TransformerBlock and TokenAndPositionEmbedding layers written out as functions. The positions
    (0, 1, ..., maxlen - 1) are an input: keras-io makes them with ``ops.arange`` inside its layer."""

    def transformer_block(x):
        attn = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)(x, x)
        attn = layers.Dropout(0.1)(attn)
        out1 = layers.LayerNormalization(epsilon=1e-6)(x + attn)
        ffn = layers.Dense(ff_dim, activation="relu")(out1)
        ffn = layers.Dense(embed_dim)(ffn)
        ffn = layers.Dropout(0.1)(ffn)
        return layers.LayerNormalization(epsilon=1e-6)(out1 + ffn)

    tokens = keras.Input(shape=(maxlen,), dtype="int32", name="tokens")
    positions = keras.Input(shape=(maxlen,), dtype="int32", name="positions")
    x = layers.Embedding(vocab, embed_dim)(tokens) + layers.Embedding(maxlen, embed_dim)(positions)
    x = transformer_block(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    label = layers.Dense(2, activation="softmax", name="label")(x)
    model = keras.Model([tokens, positions], label, name="transformer_classifier")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def seq2seq(num_encoder_tokens: int = 71, num_decoder_tokens: int = 93, latent_dim: int = 256) -> keras.Model:
    """examples/seq2seq.gd: keras-io's character-level LSTM seq2seq (one-hot characters in)."""
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens), name="encoder_inputs")
    _, state_h, state_c = layers.LSTM(latent_dim, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens), name="decoder_inputs")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    next_char = layers.Dense(num_decoder_tokens, activation="softmax", name="next_char")(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], next_char, name="seq2seq")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def wide_deep(users: int = 10000, items: int = 5000, categories: int = 50, numeric: int = 8,
              dim: int = 16) -> keras.Model:
    """examples/wide_deep.gd: a Wide&Deep recommender, three categorical inputs and numeric features.
    The wide part is a linear model on one-hot categories; the deep part an MLP on embeddings."""
    user = keras.Input(shape=(1,), dtype="int32", name="user")
    item = keras.Input(shape=(1,), dtype="int32", name="item")
    category = keras.Input(shape=(1,), dtype="int32", name="category")
    features = keras.Input(shape=(numeric,), name="features")

    wide = layers.Concatenate()([
        layers.CategoryEncoding(categories, output_mode="one_hot")(category),
        layers.CategoryEncoding(items, output_mode="one_hot")(item),
        features,
    ])
    wide = layers.Dense(1)(wide)

    def embedded(ids, count):
        return layers.Flatten()(layers.Embedding(count, dim)(ids))

    deep = layers.Concatenate()([embedded(user, users), embedded(item, items), embedded(category, categories),
                                 features])
    for units in (256, 128, 64):
        deep = layers.Dense(units, activation="relu")(deep)
        deep = layers.Dropout(0.2)(deep)
    deep = layers.Dense(1)(deep)

    logit = layers.Add()([wide, deep])
    clicked = layers.Activation("sigmoid", name="clicked")(logit)
    model = keras.Model([user, item, category, features], clicked, name="wide_deep")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["auc"])
    return model


def siamese(size: int = 28) -> keras.Model:
    """examples/siamese.gd: keras-io's Siamese network of two shared convolutional towers, with
    a cosine similarity (a normalized dot) where keras-io's Lambda computes a Euclidean distance."""
    towers = [
        layers.BatchNormalization(),
        layers.Conv2D(4, (5, 5), activation="tanh"),
        layers.AveragePooling2D(pool_size=(2, 2)),
        layers.Conv2D(16, (5, 5), activation="tanh"),
        layers.AveragePooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.BatchNormalization(),
        layers.Dense(10, activation="tanh"),
    ]

    def tower(x):
        for layer in towers:
            x = layer(x)
        return x

    left = keras.Input(shape=(size, size, 1), name="left")
    right = keras.Input(shape=(size, size, 1), name="right")
    similarity = layers.Dot(axes=1, normalize=True)([tower(left), tower(right)])
    similarity = layers.BatchNormalization()(similarity)
    same = layers.Dense(1, activation="sigmoid", name="same")(similarity)
    model = keras.Model([left, right], same, name="siamese")
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model

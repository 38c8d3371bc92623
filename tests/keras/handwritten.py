"""The two contract programs written by hand in Keras, as a user would: the reference for fidelity tests."""

from __future__ import annotations

import keras
from keras import layers


def social(vocab: int = 50000, income_groups: int = 10, compile: bool = True) -> keras.Model:
    """examples/social.gd by hand: one input, three heads."""
    posts = keras.Input(shape=(None,), dtype="int32", name="posts")
    x = layers.Embedding(vocab, 256)(posts)
    x = layers.Conv1D(128, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    age = layers.Dense(1, name="age")(x)
    income = layers.Dense(income_groups, activation="softmax", name="income")(x)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
    model = keras.Model(posts, [age, income, gender], name="social")
    if compile:
        model.compile(
            optimizer="rmsprop",
            loss={"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
            loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
            metrics={"income": ["accuracy"], "gender": ["accuracy"]},
        )
    return model


def news(compile: bool = True) -> keras.Model:
    """examples/news.gd by hand: two inputs, a concatenation, a main and an auxiliary output."""
    main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
    aux_input = keras.Input(shape=(5,), name="aux_input")
    x = layers.Embedding(10000, 512)(main_input)
    lstm_out = layers.LSTM(32)(x)
    aux_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    x = layers.concatenate([lstm_out, aux_input])
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
    model = keras.Model([main_input, aux_input], [aux_output, main_output], name="news")
    if compile:
        model.compile(
            optimizer="rmsprop",
            loss={"aux_output": "binary_crossentropy", "main_output": "binary_crossentropy"},
            loss_weights={"aux_output": 0.2, "main_output": 1.0},
        )
    return model


# ---- language version 2: the contract programs written in Keras -----------------------------------


def tiny_resnet(classes: int = 10, width: int = 32, compile: bool = True) -> keras.Model:
    """examples/tiny_resnet.gd by hand: functions for the blocks, as a Keras user writes them."""

    def conv_bn(x, filters, kernel=3, strides=1):
        y = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
        return layers.BatchNormalization()(y)

    def residual(x, filters):
        a = conv_bn(x, filters)
        a = layers.ReLU()(a)
        a = conv_bn(a, filters)
        return layers.ReLU()(layers.add([x, a]))

    def downsample(x, filters):
        a = conv_bn(x, filters, strides=2)
        a = layers.ReLU()(a)
        a = conv_bn(a, filters)
        skip = conv_bn(x, filters, kernel=1, strides=2)
        return layers.ReLU()(layers.add([skip, a]))

    image = keras.Input(shape=(32, 32, 3), name="image")
    x = layers.ReLU()(conv_bn(image, width))
    for _ in range(2):
        x = residual(x, width)
    x = residual(downsample(x, 2 * width), 2 * width)
    x = residual(downsample(x, 4 * width), 4 * width)
    x = layers.GlobalAveragePooling2D()(x)
    label = layers.Dense(classes, activation="softmax", name="label")(x)
    model = keras.Model(image, label, name="tiny_resnet")
    if compile:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                      loss={"label": "sparse_categorical_crossentropy"}, metrics={"label": ["accuracy"]})
    return model


def encoder(vocab: int = 20000, length: int = 128, dim: int = 64, heads: int = 4, depth: int = 2,
            compile: bool = True) -> keras.Model:
    """examples/encoder.gd by hand: a two-layer Transformer encoder."""

    def transformer(x, dim, heads, hidden):
        attn = layers.MultiHeadAttention(num_heads=heads, key_dim=dim // heads)(x, x)
        h = layers.LayerNormalization(epsilon=1e-6)(layers.add([x, attn]))
        f = layers.Dense(hidden, activation="gelu")(h)
        f = layers.Dense(dim)(f)
        return layers.LayerNormalization(epsilon=1e-6)(layers.add([h, f]))

    tokens = keras.Input(shape=(length,), dtype="int32", name="tokens")
    positions = keras.Input(shape=(length,), dtype="int32", name="positions")
    tok = layers.Embedding(vocab, dim)(tokens)
    pos = layers.Embedding(length, dim)(positions)
    x = layers.add([tok, pos])
    for _ in range(depth):
        x = transformer(x, dim, heads, 2 * dim)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    label = layers.Dense(2, activation="softmax", name="label")(x)
    model = keras.Model([tokens, positions], label, name="encoder")
    if compile:
        model.compile(optimizer="rmsprop", loss={"label": "sparse_categorical_crossentropy"},
                      metrics={"label": ["accuracy"]})
    return model


def translator(src_vocab: int = 8000, tgt_vocab: int = 8000, dim: int = 256, compile: bool = True) -> keras.Model:
    """examples/translator.gd by hand: an LSTM encoder hands its final state to an LSTM decoder."""
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target = keras.Input(shape=(None,), dtype="int32", name="target")
    x = layers.Embedding(src_vocab, dim, mask_zero=True)(source)
    _, h, c = layers.LSTM(dim, return_state=True)(x)
    emb = layers.Embedding(tgt_vocab, dim, mask_zero=True)(target)
    dec = layers.LSTM(dim, return_sequences=True)(emb, initial_state=[h, c])
    next_token = layers.Dense(tgt_vocab, activation="softmax", name="next_token")(dec)
    model = keras.Model([source, target], next_token, name="translator")
    if compile:
        model.compile(optimizer="rmsprop", loss={"next_token": "sparse_categorical_crossentropy"},
                      metrics={"next_token": ["accuracy"]})
    return model


def hard_swish(size: int = 8, channels: int = 16) -> keras.Model:
    """MobileNetV3's hard-swish (keras.applications.mobilenet_v3), around a convolution."""

    def hard_sigmoid(x):
        return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)

    image = keras.Input(shape=(size, size, 3), name="image")
    x = layers.Conv2D(channels, 3, padding="same")(image)
    x = layers.Multiply()([x, hard_sigmoid(x)])
    x = layers.GlobalAveragePooling2D()(x)
    y = layers.Dense(2, name="y")(x)
    return keras.Model(image, y, name="hard_swish")


def convnext_block(size: int = 8, dim: int = 16) -> keras.Model:
    """ConvNeXt's block (keras.applications.convnext): a residual added with tensor arithmetic."""
    from keras.src.applications.convnext import LayerScale

    inputs = keras.Input(shape=(size, size, dim), name="image")
    x = layers.Conv2D(dim, kernel_size=7, padding="same", groups=dim)(inputs)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    x = layers.Dense(4 * dim)(x)
    x = layers.Activation("gelu")(x)
    x = layers.Dense(dim)(x)
    x = LayerScale(1e-6, dim)(x)
    x = inputs + layers.Activation("linear")(x)
    x = layers.GlobalAveragePooling2D()(x)
    y = layers.Dense(2, name="y")(x)
    return keras.Model(inputs, y, name="convnext_block")

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

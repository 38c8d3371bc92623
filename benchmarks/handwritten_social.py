"""examples/social.gd written by hand in Keras: build, compile and save, as a user's script would.

The reference side of ``bench_build.py``: ``python benchmarks/handwritten_social.py OUT.keras``.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from keras import layers  # noqa: E402

posts = keras.Input(shape=(None,), dtype="int32", name="posts")
x = layers.Embedding(50000, 256)(posts)
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
income = layers.Dense(10, activation="softmax", name="income")(x)
gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
model = keras.Model(posts, [age, income, gender], name="social")
model.compile(
    optimizer="rmsprop",
    loss={"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
    loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
    metrics={"income": ["accuracy"], "gender": ["accuracy"]},
)
model.save(sys.argv[1] if len(sys.argv) > 1 else "social_handwritten.keras")
print(f"built social: {model.count_params():,} parameters")

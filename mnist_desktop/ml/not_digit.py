"""Is this 28x28 input a digit at all, and which? A small separate model, so the digit classifier (and its
99.6% on MNIST) stays untouched.

A softmax over ten digits is sure of *something* for any input: a scribble reads "8 · 99.9% sure".
This model is trained on digits (MNIST and many written styles, each with its label) against
things that are not digits (letters, scribbles, shapes, clothing, smudges, two digits touching,
shadows and paper lines the pipeline picked up), all prepared the way the reading pipeline prepares
what it finds. It answers the probability that the input is one digit; `core.reading` calls a
reading "not a digit" below a threshold chosen on the bench's tune split. The shipped model is an
ensemble of four such models averaged in one file (`ensemble`, `benchmarks.train_gate`).

Inference runs on LiteRT like the classifier (`ml.predictor.DigitGate`, attached to every predictor);
this module only trains it, and imports TensorFlow to do so.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np


# ------------------------------------------------------------------------------ training
NOT_A_DIGIT = 10  # the eleventh class the gate is trained on


def build_gate(keras) -> Any:
    """~100k parameters, trained as an eleven-way classifier (the ten digits and "not a digit"):
    learning which digit a mark is teaches the model what every digit looks like, so a heavy marker
    "4" or a serif "1" is not mistaken for a blob or a letter the way a bare digit/other split let
    it. Its eleven probabilities are kept: 1 - p(not a digit) says whether a mark is a digit at
    all, and the ten others are a second opinion on which digit, from a model that has seen other
    hands than MNIST's (`ml.predictor.DigitGate`)."""
    layers = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for filters in (32, 64, 96):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x) if filters < 96 else x
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    classes = layers.Dense(NOT_A_DIGIT + 1, activation="softmax", name="classes")(x)
    return keras.Model(inputs, classes, name="not_digit_classes")


def train_gate(digits: np.ndarray, digit_labels: np.ndarray, others: np.ndarray, *, epochs: int = 8,
               seed: int = 0, verbose: bool = True) -> Any:
    """Train on uint8 N x 28 x 28 digits (with their labels 0-9) and non-digits; returns the Keras
    model (eleven probabilities: the ten digits, then "not a digit")."""
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    tf, keras = import_tensorflow()
    keras.utils.set_random_seed(seed)
    x = np.concatenate([digits, others]).astype(np.float32)[..., None] / 255.0
    y = np.concatenate([np.asarray(digit_labels, np.int64), np.full(len(others), NOT_A_DIGIT)])
    # Balance digits against the rest: each side weighs half the loss whatever their counts.
    weights = np.where(y < NOT_A_DIGIT, len(y) / (2 * len(digits)), len(y) / (2 * len(others))).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y, weights = x[order], y[order], weights[order]
    model = build_gate(keras)
    steps = int(np.ceil(len(y) / 256)) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, sample_weight=weights, batch_size=256, epochs=epochs, verbose=2 if verbose else 0)
    return model


def ensemble(members: list[Any]) -> Any:
    """One model whose eleven probabilities are the mean of its members' (trained on different draws
    of data from different initial weights): where one member is wrong about a hand it has not seen,
    the others seldom are in the same way. One LiteRT file, one call per batch."""
    if len(members) == 1:
        return members[0]
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    _, keras = import_tensorflow()
    inputs = keras.Input((28, 28, 1))
    outputs = []
    for index, member in enumerate(members):
        member.name = f"member_{index}"  # Keras needs the nested models' names to differ
        outputs.append(member(inputs))
    return keras.Model(inputs, keras.layers.Average(name="classes")(outputs), name="not_digit_ensemble")


def save_gate(model: Any, target: Path, details: dict[str, Any]) -> Path:
    """NAME.keras, NAME.tflite and NAME.json (with checksums), saved as one commit like a digit model."""
    from mnist_desktop.ml.modelio import save_model_files, to_tflite

    metadata = dict(details, architecture="not-digit-cnn",
                    created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    return save_model_files(target, model.save, to_tflite(model), metadata)[1]

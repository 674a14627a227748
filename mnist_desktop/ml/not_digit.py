"""Is this 28x28 input a digit at all? A small separate model, so the digit classifier (and its
99.6% on MNIST) stays untouched.

A softmax over ten digits is sure of *something* for any input: a scribble reads "8 · 99.9% sure".
This model is trained on digits (MNIST and many written styles) against things that are not
digits (letters, scribbles, shapes, clothing, smudges, two digits touching), all prepared the way
the reading pipeline prepares what it finds. It answers the probability that the input is one
digit; `core.reading` calls a reading "not a digit" below a threshold calibrated on held-out data.

Inference runs on LiteRT like the classifier (`ml.predictor.DigitGate`, attached to every predictor);
this module only trains it, and imports TensorFlow to do so.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np


# ------------------------------------------------------------------------------ training
def build_gate(keras) -> Any:
    """~25k parameters: enough to tell strokes of a digit from other marks, ~10 us an input."""
    layers = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for filters in (16, 32, 64):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x) if filters < 64 else x
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="not_digit")


def train_gate(digits: np.ndarray, others: np.ndarray, *, epochs: int = 6, seed: int = 0,
               log=print) -> Any:
    """Train on uint8 N x 28 x 28 digits (label 1) and non-digits (label 0); returns the Keras model."""
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    tf, keras = import_tensorflow()
    keras.utils.set_random_seed(seed)
    x = np.concatenate([digits, others]).astype(np.float32)[..., None] / 255.0
    y = np.concatenate([np.ones(len(digits)), np.zeros(len(others))]).astype(np.float32)
    # Balance the two classes: each weighs half the loss whatever their counts.
    weights = np.where(y == 1, len(y) / (2 * len(digits)), len(y) / (2 * len(others))).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y, weights = x[order], y[order], weights[order]
    model = build_gate(keras)
    steps = int(np.ceil(len(y) / 256)) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, sample_weight=weights, batch_size=256, epochs=epochs, verbose=2)
    return model


def save_gate(model: Any, target: Path, details: dict[str, Any]) -> Path:
    """NAME.keras, NAME.tflite and NAME.json (with checksums), saved as one commit like a digit model."""
    from mnist_desktop.ml.modelio import save_model_files, to_tflite

    metadata = dict(details, architecture="not-digit-cnn",
                    created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    return save_model_files(target, model.save, to_tflite(model), metadata)[1]

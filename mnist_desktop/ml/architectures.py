"""The model architectures people can train, each with what the GUI shows about it.

The catalogue (`ARCHITECTURES`) is plain data so the Training tab can list names, descriptions and
parameter counts without importing TensorFlow; `build_model` imports Keras and builds one.
tests/ml/test_architectures.py checks each parameter count against the built model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mnist_desktop.core.dataset import NUM_CLASSES


@dataclass(frozen=True)
class Recipe:
    """Training settings an architecture was tuned with (the Training tab's defaults)."""

    epochs: int
    batch_size: int
    learning_rate: float
    schedule: str  # a key of ml.training.SCHEDULES
    augment: bool
    patience: int  # early-stopping patience in epochs; 0 turns it off
    validation_fraction: float = 0.1


@dataclass(frozen=True)
class Architecture:
    name: str
    title: str
    description: str
    params: int
    recipe: Recipe = field(compare=False)


ARCHITECTURES: dict[str, Architecture] = {
    a.name: a
    for a in (
        Architecture(
            "classic",
            "Classic CNN",
            "The CNN of the reference notebooks: conv 32 3x3, pool, conv 64 3x3, pool, dropout 0.5, "
            "dense 128, softmax. About 99.2% after 10 epochs; the baseline every other model is "
            "measured against.",
            225_034,
            Recipe(epochs=10, batch_size=128, learning_rate=1e-3, schedule="constant", augment=False,
                   patience=3),
        ),
        Architecture(
            "bn-cnn",
            "Batch-norm CNN",
            "Three convolution blocks (5x5 then 3x3) with batch normalisation and dropout, then a "
            "dense layer. Trained with augmentation and a cosine schedule it reaches about 99.6%, "
            "and it still answers in well under 100 microseconds: the shipped model is one.",
            357_802,
            Recipe(epochs=20, batch_size=128, learning_rate=3e-3, schedule="cosine", augment=True,
                   patience=0),
        ),
        Architecture(
            "mlp",
            "MLP baseline",
            "No convolutions: flatten the 784 pixels, one dense layer of 256 ReLU units with "
            "dropout, softmax. About 98%; shows what convolutions add.",
            203_530,
            Recipe(epochs=10, batch_size=128, learning_rate=1e-3, schedule="constant", augment=False,
                   patience=3),
        ),
        Architecture(
            "resnet",
            "Small ResNet",
            "A small residual network: a 3x3 stem then three stages of two residual blocks "
            "(16, 32, 64 channels, batch norm, shortcut connections), global average pooling. "
            "The 'deeper architecture' the reference projects suggest; slow to train on a CPU.",
            176_090,
            Recipe(epochs=12, batch_size=128, learning_rate=2e-3, schedule="cosine", augment=True,
                   patience=0),
        ),
        Architecture(
            "fast",
            "Fast preset",
            "Tuned for the time to 99% test accuracy on a 2-core CPU: two strided 5x5/3x3 "
            "convolutions (no full-size feature maps, batch norm on the second), dense 128, a "
            "one-cycle learning rate peaking at 0.005. About 99.1% after two epochs, in under a "
            "third of the time the classic CNN needs to reach 99%.",
            169_866,
            Recipe(epochs=2, batch_size=128, learning_rate=5e-3, schedule="onecycle", augment=False,
                   patience=0, validation_fraction=0.0),
        ),
    )
}

DEFAULT_ARCHITECTURE = "bn-cnn"


def get_architecture(name: str) -> Architecture:
    try:
        return ARCHITECTURES[name]
    except KeyError:
        raise ValueError(
            f"unknown architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}"
        ) from None


def build_model(name: str):
    """A fresh, uncompiled Keras model for ``name`` (imports TensorFlow)."""
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    _, keras = import_tensorflow()
    builders = {
        "classic": _classic,
        "bn-cnn": _bn_cnn,
        "mlp": _mlp,
        "resnet": _resnet,
        "fast": _fast,
    }
    get_architecture(name)
    return builders[name](keras)


def _classic(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1), name="image"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.5),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="classic",
    )


def _conv_bn(keras, x, filters, kernel, padding="same", strides=1):
    layers = keras.layers
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def _bn_cnn(keras):
    # Convolutions are kept few and early pooling keeps the maps small: with batch norm folded
    # into the convolutions at export, one digit takes ~70 us on LiteRT on 2 cores.
    layers = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = _conv_bn(keras, inputs, 32, 5, padding="valid")  # 24x24
    x = layers.MaxPooling2D()(x)  # 12x12
    x = _conv_bn(keras, x, 64, 3)
    x = layers.MaxPooling2D()(x)  # 6x6
    x = _conv_bn(keras, x, 128, 3, padding="valid")  # 4x4
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Dense(128, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="bn_cnn")


def _mlp(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1), name="image"),
            layers.Flatten(),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="mlp",
    )


def _resnet(keras):
    layers = keras.layers

    def block(x, filters, strides):
        shortcut = x
        y = _conv_bn(keras, x, filters, 3, strides=strides)
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
        y = layers.BatchNormalization()(y)
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(shortcut)
            shortcut = layers.BatchNormalization()(shortcut)
        return layers.ReLU()(layers.Add()([y, shortcut]))

    inputs = keras.Input((28, 28, 1), name="image")
    x = _conv_bn(keras, inputs, 16, 3)
    for filters, strides in ((16, 1), (32, 2), (64, 2)):
        x = block(x, filters, strides)
        x = block(x, filters, 1)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="resnet")


def _fast(keras):
    # Strided convolutions without padding instead of pooling: the 28x28 image is never convolved
    # at full size and the maps shrink to 12x12 and 5x5 at once, so an epoch costs a fraction of
    # the classic CNN's. Batch norm only on the small second map: on the first it cost as much as
    # both convolutions (measured), while the one on the second is what lets a one-cycle schedule
    # with a high peak converge in two epochs.
    layers = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(32, 5, strides=2, activation="relu")(inputs)  # 12x12
    x = _conv_bn(keras, x, 48, 3, padding="valid", strides=2)  # 5x5
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="fast")

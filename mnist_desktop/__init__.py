"""MNIST Desktop: handwritten digit recognition you can explore, train, evaluate and use.

The public API is small and imported lazily, so ``import mnist_desktop`` stays cheap (no Qt, no
TensorFlow, no OpenCV until a function that needs them is called)::

    from mnist_desktop import load_dataset, load_predictor, prepare_digit, read_digits

    data = load_dataset()                      # bundled MNIST, 60,000 / 10,000 images
    predictor = load_predictor()               # the shipped model, on LiteRT
    probabilities = predictor.predict(data.x_test[:5])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it; resolved on first attribute access (PEP 562).
_LAZY = {
    "Dataset": "mnist_desktop.core.dataset",
    "load_dataset": "mnist_desktop.core.importers",
    "DatasetError": "mnist_desktop.core.errors",
    "ModelError": "mnist_desktop.core.errors",
    "prepare_digit": "mnist_desktop.core.preprocess",
    "read_digits": "mnist_desktop.api",
    "Reading": "mnist_desktop.core.reading",
    "Predictor": "mnist_desktop.ml.predictor",
    "load_predictor": "mnist_desktop.ml.predictor",
}

__all__ = sorted([*_LAZY, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from mnist_desktop.core.dataset import Dataset
    from mnist_desktop.core.importers import load_dataset
    from mnist_desktop.core.errors import DatasetError, ModelError
    from mnist_desktop.core.preprocess import prepare_digit
    from mnist_desktop.api import read_digits
    from mnist_desktop.core.reading import Reading
    from mnist_desktop.ml.predictor import Predictor, load_predictor


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mnist_desktop' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

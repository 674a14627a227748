"""Where the bundled files are, in a source checkout and in an installed wheel alike."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A wheel carries resources/ and models/ inside the package; a checkout (or an editable
    # install) has them next to it at the top of the repository.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def resources_dir() -> Path:
    return _bundled("resources")


def models_dir() -> Path:
    return _bundled("models")


def bundled_mnist() -> Path:
    return resources_dir() / "mnist.npz"


def default_model() -> Path:
    """The shipped model's .keras path; its .tflite and .json sit beside it."""
    return models_dir() / "mnist_cnn.keras"


def user_data_dir() -> Path:
    """Per-user writable folder (personal drawings, saved models); created on demand by callers.

    ``MNIST_DESKTOP_DATA_DIR`` overrides it (tests and portable installs use that).
    """
    override = os.environ.get("MNIST_DESKTOP_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mnist-desktop", appauthor=False))

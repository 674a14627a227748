"""Public helpers that put the layers together (core pipeline + the default LiteRT model)."""

from __future__ import annotations

import threading

import numpy as np

from mnist_desktop.core.reading import Reading, SupportsPredict
from mnist_desktop.core.reading import read_digits as _read_digits

_default = None
_lock = threading.Lock()


def _default_predictor():
    global _default
    with _lock:
        if _default is None:
            from mnist_desktop.ml.predictor import load_predictor

            _default = load_predictor()
        return _default


def read_digits(frame: np.ndarray, predictor: SupportsPredict | None = None) -> list[Reading]:
    """All handwritten digits in a BGR photo or camera frame, left to right (lines top to bottom),
    each with ``digit``, ``confidence`` and ``box`` (x, y, w, h). ``predictor`` defaults to the
    shipped model."""
    return _read_digits(frame, predictor if predictor is not None else _default_predictor())

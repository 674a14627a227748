"""Score a predictor on labeled images (LiteRT only: evaluation never needs TensorFlow)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mnist_desktop.core.dataset import DIGIT_CLASSES, NUM_CLASSES
from mnist_desktop.core.metrics import Evaluation

_CHUNK = 1024


class EvaluationCancelled(Exception):
    pass


def predict_all(
    predictor,
    images: np.ndarray,
    *,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    out = np.empty((len(images), NUM_CLASSES), np.float32)
    for start in range(0, len(images), _CHUNK):
        if should_stop and should_stop():
            raise EvaluationCancelled()
        out[start:start + _CHUNK] = predictor.predict(images[start:start + _CHUNK])
        if progress:
            progress(min(1.0, (start + _CHUNK) / max(len(images), 1)))
    return out


def evaluate_predictor(
    predictor,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    class_names: tuple[str, ...] = DIGIT_CLASSES,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Evaluation:
    probabilities = predict_all(predictor, images, progress=progress, should_stop=should_stop)
    return Evaluation(np.asarray(labels).astype(np.uint8), probabilities, class_names)

"""The numbers behind the Dataset tab's charts, computed with NumPy in one pass each (fast on 70k)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DatasetStats:
    train_counts: np.ndarray  # (10,) images per class in the training split
    test_counts: np.ndarray  # (10,) images per class in the test split
    mean_images: np.ndarray  # (10, 28, 28) float32, mean image of each class (both splits)
    intensity_histogram: np.ndarray  # (256,) how many pixels have each value (both splits)
    ink_mean: np.ndarray  # (10,) mean ink per image of each class, in fully-lit pixels
    ink_std: np.ndarray  # (10,)


def class_counts(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    labels = labels[labels < classes]
    return np.bincount(labels, minlength=classes)[:classes]


def mean_images(images: np.ndarray, labels: np.ndarray, classes: int = 10) -> np.ndarray:
    sums = np.zeros((classes, 28 * 28), np.float64)
    flat = images.reshape(len(images), -1)
    for c in range(classes):
        members = flat[labels == c]
        if len(members):
            sums[c] = members.mean(axis=0)
    return sums.reshape(classes, 28, 28).astype(np.float32)


def intensity_histogram(images: np.ndarray) -> np.ndarray:
    return np.bincount(images.ravel(), minlength=256)


def ink_per_image(images: np.ndarray) -> np.ndarray:
    """Total ink of each image in units of one fully lit pixel (sum of values / 255)."""
    return images.reshape(len(images), -1).sum(axis=1, dtype=np.uint32) / 255.0


def ink_per_class(images: np.ndarray, labels: np.ndarray, classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    ink = ink_per_image(images)
    mean = np.zeros(classes)
    std = np.zeros(classes)
    for c in range(classes):
        values = ink[labels == c]
        if values.size:
            mean[c], std[c] = values.mean(), values.std()
    return mean, std


def compute_stats(dataset, check: Callable[[], None] | None = None) -> DatasetStats:
    """``check`` is called between the passes (about a second in all on MNIST); it may raise to
    abandon the work, e.g. when the window closes."""
    check = check or (lambda: None)
    images = np.concatenate([dataset.x_train, dataset.x_test])
    labels = np.concatenate([dataset.y_train, dataset.y_test])
    check()
    ink_mean, ink_std = ink_per_class(images, labels)
    check()
    means = mean_images(images, labels)
    check()
    return DatasetStats(
        train_counts=class_counts(dataset.y_train),
        test_counts=class_counts(dataset.y_test),
        mean_images=means,
        intensity_histogram=intensity_histogram(images),
        ink_mean=ink_mean,
        ink_std=ink_std,
    )

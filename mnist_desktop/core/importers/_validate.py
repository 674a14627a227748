"""Checks shared by the importers; each error names the file and the exact place."""

from __future__ import annotations

import numpy as np

from mnist_desktop.core.errors import DatasetError


def check_labels(labels: np.ndarray, where: str, *, position: str = "index") -> np.ndarray:
    """Labels must be whole numbers 0-9; returns them as uint8."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise DatasetError(f"{where}: labels must be a flat list, got shape {labels.shape}")
    if labels.dtype.kind == "f":
        fractional = np.flatnonzero(labels != np.round(labels))
        if fractional.size:
            i = int(fractional[0])
            raise DatasetError(f"{where}, {position} {i}: label {labels[i]!r} is not a whole number")
    elif labels.dtype.kind not in "iub":
        raise DatasetError(f"{where}: labels have type {labels.dtype}, expected integers 0-9")
    bad = np.flatnonzero((labels < 0) | (labels > 9))
    if bad.size:
        i = int(bad[0])
        raise DatasetError(
            f"{where}, {position} {i}: label {labels[i]:g} is outside 0-9 ({bad.size} bad labels in all)"
        )
    return labels.astype(np.uint8)


def to_images(array: np.ndarray, where: str) -> np.ndarray:
    """N x 28 x 28 (or N x 784, N x 28 x 28 x 1) pixel values 0-255, or floats 0-1, -> uint8."""
    array = np.asarray(array)
    if array.ndim == 2 and array.shape[1] == 784:
        array = array.reshape(-1, 28, 28)
    elif array.ndim == 4 and array.shape[3] == 1:
        array = array[..., 0]
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise DatasetError(f"{where}: images must be N x 28 x 28 (or N x 784), got shape {array.shape}")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind not in "iuf":
        raise DatasetError(f"{where}: pixel values have type {array.dtype}, expected numbers 0-255")
    if array.size and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            i = int(np.flatnonzero((~np.isfinite(array.reshape(len(array), -1))).any(axis=1))[0])
            raise DatasetError(f"{where}, image {i}: pixel values are not finite numbers")
        if array.max() <= 1.0 and array.min() >= 0.0:
            # Already normalised to 0..1 (as many notebooks save them): back to MNIST's integers.
            array = array * 255.0
        array = np.round(array)
    flat = array.reshape(len(array), -1)
    bad = np.flatnonzero(((flat < 0) | (flat > 255)).any(axis=1))
    if bad.size:
        i = int(bad[0])
        value = flat[i][(flat[i] < 0) | (flat[i] > 255)][0]
        raise DatasetError(f"{where}, image {i}: pixel value {value:g} is outside 0-255")
    return array.astype(np.uint8)

"""NumPy images to Qt images. QImage must own a copy: the array may go away before the paint."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap


def gray_qimage(array: np.ndarray) -> QImage:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    h, w = array.shape
    return QImage(array.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def bgr_qimage(array: np.ndarray) -> QImage:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    h, w, _ = array.shape
    return QImage(array.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


def rgb_qimage(array: np.ndarray) -> QImage:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    h, w, _ = array.shape
    return QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def to_qimage(array: np.ndarray) -> QImage:
    return gray_qimage(array) if array.ndim == 2 else bgr_qimage(array)


def gray_pixmap(array: np.ndarray, size: int | None = None, ratio: float = 1.0) -> QPixmap:
    """Nearest-neighbour upscaling: MNIST pixels should look like pixels, not blur. ``ratio``: the
    screen's device pixel ratio; the picture is then ``size`` in Qt's units and sharp on a 4K screen."""
    from PySide6.QtCore import Qt

    pixmap = QPixmap.fromImage(gray_qimage(array))
    if size:
        side = round(size * ratio)
        pixmap = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        pixmap.setDevicePixelRatio(ratio)
    return pixmap

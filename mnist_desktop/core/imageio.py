"""Reading image files for the app (OpenCV, unicode paths, clear errors)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.core.errors import DatasetError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm"}


def read_image(path: str | Path) -> np.ndarray:
    """Decode an image file as stored (grey, BGR or BGRA); `DatasetError` naming the file if it can't."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if raw.size == 0:
        raise DatasetError(f"{path}: the file is empty")
    image = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f"{path}: not a readable image (damaged, or a format OpenCV cannot decode)")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    return image


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Encode by the file's suffix (unicode paths too)."""
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix or ".png", image)
    if not ok:
        raise OSError(f"{path}: OpenCV cannot write this image format")
    encoded.tofile(path)

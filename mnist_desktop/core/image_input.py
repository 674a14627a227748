"""What the image-taking API accepts, in one place: `as_image` turns any reasonable picture into
uint8 grey, BGR or BGRA, and refuses everything else with one `ValueError` that says what is
expected. `prepare_digit`, `read_digits`, the capture loop and `read_image` all go through it.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from mnist_desktop.core.limits import MAX_IMAGE_PIXELS

# The most pixels an image given to the API may have: 50 megapixels (a 12 MP photo is fine; a
# 20000 x 20000 array would take GBs of working memory).
MAX_PIXELS = MAX_IMAGE_PIXELS

EXPECTED = (
    "expected an image: a NumPy array (or PIL image) of shape (H, W) grey, (H, W, 1), (H, W, 3) BGR "
    "or (H, W, 4) BGRA, of numbers (uint8 0-255, floats 0-1 or 0-255, or bool)"
)


def as_image(image: Any) -> np.ndarray:
    """uint8 (H, W), (H, W, 3) or (H, W, 4) from any grey/BGR/BGRA picture of any numeric type.

    Floats are taken as 0-1 when none exceeds 1, else as 0-255 (larger values are scaled down);
    integers wider than 8 bits are scaled by their largest value over 255; bool is 0/255. NaN or
    infinite pixels, other shapes and non-numbers raise `ValueError`; an empty array stays empty.
    """
    if image is None:
        raise ValueError(f"got None; {EXPECTED}")
    try:
        array = np.asarray(image)
    except (ValueError, TypeError):
        raise ValueError(f"got a {type(image).__name__} that is not a rectangular array of numbers; {EXPECTED}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"got a {type(image).__name__} of {array.dtype}; {EXPECTED}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"got an array of shape {array.shape}; {EXPECTED}")
    if array.size == 0:
        # An empty picture is a picture without ink: the callers answer "no digit".
        return np.zeros(array.shape[:2], np.uint8)
    pixels = array.shape[0] * array.shape[1]
    if pixels > MAX_PIXELS:
        raise ValueError(f"the image is {array.shape[1]}x{array.shape[0]}, more than {MAX_PIXELS // 1_000_000} "
                         "megapixels, the limit")
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError("the image has NaN or infinite pixel values; expected numbers 0-1 or 0-255")
        top = float(array.max())
        scale = 255.0 if top <= 1.0 else (1.0 if top <= 255.0 else 255.0 / top)
        return np.clip(array.astype(np.float32) * np.float32(scale), 0, 255).round().astype(np.uint8)
    top = int(array.max())
    if top <= 255:
        return np.clip(array, 0, 255).astype(np.uint8)
    return np.clip(array.astype(np.float64) * (255.0 / top), 0, 255).round().astype(np.uint8)


def as_bgr(image: Any) -> np.ndarray:
    """`as_image`, then 3-channel BGR (grey repeated, alpha dropped): what frame readers expect."""
    image = as_image(image)
    if image.size == 0:
        return np.zeros((*image.shape[:2], 3), np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def limit_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Scaled down (area averaging, aspect kept) so that neither side exceeds ``max_side``."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width, 1)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

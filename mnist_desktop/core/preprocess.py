"""Make any single-digit image look like an MNIST digit.

MNIST's recipe (LeCun et al.): the digit is cropped, fitted into a 20x20 box keeping its aspect
ratio (anti-aliased), then placed in a 28x28 field so that its centre of mass sits at the centre.
Drawings and photos differ from MNIST in ways the recipe alone does not fix, so before it we also
- bring the image to MNIST polarity (light ink on black) whatever the background is,
- subtract the background and stretch the ink to full intensity (grey paper, faint pencil),
- drop noise specks far smaller than the digit,
- bring the stroke width to MNIST's range (a thick pen on a tiny digit, a thin pen on a big one).
Every stage is returned by `prepare_digit_stages` so the GUI can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from mnist_desktop.core.image_input import as_image, limit_side

FIELD = 28
BOX = 20
# Measured on MNIST's training set: the mean centre of mass is (13.996, 14.007) in pixel indices.
CENTRE = 14.0
# MNIST stroke width (2 x area / perimeter of the ink above half intensity, in 28x28 pixels):
# 1st percentile 1.2, median 2.2, 99th percentile 4.3. Only strokes outside this band are changed.
STROKE_MIN, STROKE_TARGET, STROKE_MAX = 1.2, 2.4, 4.3
# Ink fainter than this (after stretching to 0..255) is paper texture or sensor noise.
NOISE_FLOOR = 30
# A blob with less ink than this share of the biggest blob is a speck, not part of the digit.
SPECK_SHARE = 0.05

InkPolarity = Literal["auto", "light", "dark"]
PREPARE_SIDE = 512


@dataclass(frozen=True)
class DigitStages:
    """What `prepare_digit` did, step by step (all uint8, MNIST polarity)."""

    ink: np.ndarray  # the whole input, light ink on black, background removed, specks dropped
    crop: np.ndarray  # cropped to the ink, stroke width normalised
    fitted: np.ndarray  # fitted into 20x20 keeping the aspect ratio
    result: np.ndarray  # 28x28, centre of mass at the centre: what the model sees
    box: tuple[int, int, int, int]  # (x, y, w, h) of the ink in the input image
    inverted: bool  # the input had dark ink on a light background
    stroke_width: float  # estimated stroke width of the input, in 28x28 pixels after fitting
    # 2x3 affine map from input pixels to 28x28 pixels (to lay a 28x28 map, e.g. saliency, back
    # over the input with cv2.warpAffine(..., flags=cv2.WARP_INVERSE_MAP)).
    transform: np.ndarray = field(default_factory=lambda: np.zeros((2, 3)))

    @property
    def empty(self) -> bool:
        return not self.result.any()


def prepare_digit(image: np.ndarray, ink: InkPolarity = "auto") -> np.ndarray:
    """Any single-digit image (any size, either polarity, grey or colour) -> uint8 28x28 like MNIST.

    An image without ink gives an all-zero 28x28 (check with ``not result.any()``). Anything that
    is not an image (see `as_image`) raises `ValueError` saying what is expected.
    """
    # A digit ends up 20x20: reading it at more than PREPARE_SIDE pixels a side costs time (the
    # stroke-width step grows with the fourth power of the side), not accuracy.
    return prepare_digit_stages(limit_side(as_image(image), PREPARE_SIDE), ink).result


def prepare_digit_stages(image: np.ndarray, ink: InkPolarity = "auto") -> DigitStages:
    image = as_image(image)
    gray = to_gray(image)
    light, inverted = to_light_ink(gray, ink)
    light = drop_specks(light)
    box = ink_box(light)
    if box is None:
        blank = np.zeros((FIELD, FIELD), np.uint8)
        return DigitStages(light, blank[:0, :0], blank[:0, :0], blank, (0, 0, 0, 0), inverted, 0.0)
    x, y, w, h = box
    crop = light[y:y + h, x:x + w]
    crop, width, (dx, dy) = normalise_stroke(crop)
    fitted = fit_box(crop)
    result, left, top = place_by_mass(fitted)
    sx, sy = fitted.shape[1] / crop.shape[1], fitted.shape[0] / crop.shape[0]
    # cv2.resize aligns pixel centres: dst = (src + 0.5) * s - 0.5.
    transform = np.array([[sx, 0.0, left + (0.5 - x - dx) * sx - 0.5],
                          [0.0, sy, top + (0.5 - y - dy) * sy - 0.5]])
    return DigitStages(light, crop, fitted, result, box, inverted, width, transform)


def to_gray(image: np.ndarray) -> np.ndarray:
    """uint8 single-channel from grey/BGR/BGRA images of any numeric type."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.dtype == np.bool_:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        image = image.astype(np.float32)
        top = 1.0 if image.size and float(np.nanmax(image)) <= 1.0 else (
            255.0 if image.size and float(np.nanmax(image)) <= 255.0 else float(np.nanmax(image)))
        image = np.clip(np.nan_to_num(image) * (255.0 / top), 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 4:
        return _flatten_alpha(image)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    raise ValueError(f"expected a grey or colour image, got an array of shape {image.shape}")


def _flatten_alpha(bgra: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(bgra[..., :3], cv2.COLOR_BGR2GRAY).astype(np.float32)
    alpha = bgra[..., 3].astype(np.float32) / 255.0
    if alpha.min() >= 1.0:
        return gray.astype(np.uint8)
    # Ink painted on a transparent sheet: put it on the background that contrasts with it.
    visible = alpha > 0.5
    ink_is_dark = visible.any() and float(np.median(gray[visible])) < 128
    backdrop = 255.0 if ink_is_dark else 0.0
    return np.clip(gray * alpha + backdrop * (1 - alpha), 0, 255).astype(np.uint8)


def to_light_ink(gray: np.ndarray, ink: InkPolarity = "auto") -> tuple[np.ndarray, bool]:
    """Light ink on black with the background at 0 and the ink core at 255; (image, was_inverted)."""
    if gray.size == 0:
        return np.zeros((0, 0), np.uint8), False
    values = gray.astype(np.float32)
    background = _border_level(values)
    deviation = values - background
    if ink == "auto":
        strong = np.abs(deviation)
        cut = _quantile(strong, 0.97)
        if cut <= 0:
            cut = strong.max()
        # The ink is whichever side of the background the strongest pixels are on.
        dark = cut > 0 and float(np.sum(deviation[strong >= cut])) < 0
    else:
        dark = ink == "dark"
    if dark:
        deviation = -deviation
    signal = np.clip(deviation, 0, None)
    positive = signal[signal > 0.1 * signal.max()] if signal.max() > 0 else signal[:0]
    if positive.size == 0 or signal.max() < 8:
        # Nothing stands out from the background by more than a few grey levels: no ink.
        return np.zeros(gray.shape, np.uint8), bool(dark)
    top = _quantile(positive, 0.98)
    stretched = np.clip(signal * (255.0 / max(top, 1.0)), 0, 255)
    stretched[stretched < NOISE_FLOOR] = 0
    return stretched.astype(np.uint8), bool(dark)


def _quantile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, 100 * q)`` (linear, float32 as NumPy computes it) for a non-empty
    array, at a sixth of its cost: every mark read is prepared, and NumPy's general machinery cost
    more than the sort itself on arrays this small."""
    flat = values.ravel()
    index = q * (flat.size - 1)
    low_index = int(np.floor(index))
    high_index = min(low_index + 1, flat.size - 1)
    ordered = np.partition(flat, (low_index, high_index))
    low, high = ordered[low_index], ordered[high_index]
    t = index - low_index
    # NumPy's own interpolation, from whichever end is nearer (bit for bit the same result).
    return float(high - (high - low) * (1 - t)) if t >= 0.5 else float(low + (high - low) * t)


def _border_level(values: np.ndarray) -> float:
    h, w = values.shape
    if h < 3 or w < 3:
        return _quantile(values, 0.5)
    band = max(1, min(h, w) // 20)
    border = np.concatenate([
        values[:band].ravel(), values[-band:].ravel(), values[:, :band].ravel(), values[:, -band:].ravel()
    ])
    return _quantile(border, 0.5)


def drop_specks(light: np.ndarray) -> np.ndarray:
    """Remove blobs with far less ink than the digit's main stroke (dust, sensor noise, a stray dot)."""
    if not light.any():
        return light
    # Labels only: OpenCV's boxes and centroids cost twice the labelling, and only the mass is needed.
    count, labels = cv2.connectedComponents((light > 0).astype(np.uint8), connectivity=8)
    if count <= 2:
        return light
    mass = np.bincount(labels.ravel(), weights=light.ravel().astype(np.float64), minlength=count)
    mass[0] = 0
    keep = mass >= SPECK_SHARE * mass.max()
    keep[0] = False
    return np.where(keep[labels], light, 0).astype(np.uint8)


def ink_box(light: np.ndarray) -> tuple[int, int, int, int] | None:
    points = cv2.findNonZero(light)
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    return int(x), int(y), int(w), int(h)


def stroke_width(crop: np.ndarray) -> float:
    """Mean stroke width in pixels: a stroke of length L and width w has area ~Lw, outline ~2L."""
    mask = (crop >= 128).astype(np.uint8)
    area = int(mask.sum())
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * area / max(perimeter, 1.0)


def normalise_stroke(crop: np.ndarray) -> tuple[np.ndarray, float, tuple[int, int]]:
    """Thicken hairlines and thin blobs so that, once fitted, strokes are as wide as MNIST's.

    Returns the new crop (re-cropped to its ink), the input's stroke width in 28x28 pixels, and
    where the new crop's corner lies relative to the old one's (dx, dy).
    """
    scale = BOX / max(crop.shape)
    width = stroke_width(crop) * scale
    if width == 0.0 or STROKE_MIN <= width <= STROKE_MAX:
        return crop, width, (0, 0)
    # Work at the crop's resolution: the radius that brings the width to the target, in crop pixels.
    radius = int(round(abs(STROKE_TARGET - width) / scale / 2))
    if radius < 1:
        return crop, width, (0, 0)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    pad = 0
    if width < STROKE_MIN:
        pad = radius
        padded = cv2.copyMakeBorder(crop, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
        changed = cv2.dilate(padded, kernel)
    else:
        changed = cv2.erode(crop, kernel)
        if not changed.any():
            # Too thick to thin without erasing it (a filled blob): keep it as drawn.
            return crop, width, (0, 0)
    box = ink_box(changed)
    assert box is not None
    x, y, w, h = box
    return changed[y:y + h, x:x + w], width, (x - pad, y - pad)


def fit_box(crop: np.ndarray) -> np.ndarray:
    """Scale so the longer side is 20 pixels, keeping the aspect ratio; ink stretched to 255."""
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fitted = cv2.resize(crop, size, interpolation=interpolation).astype(np.float32)
    top = fitted.max()
    if top > 0:
        # Downscaling averages thin strokes into grey; MNIST strokes have full-intensity cores.
        core = _quantile(fitted[fitted > 0.1 * top], 0.95)
        fitted = np.clip(fitted * (255.0 / max(core, 1.0)), 0, 255)
    return fitted.astype(np.uint8)


def centre_of_mass(image: np.ndarray) -> tuple[float, float] | None:
    """(row, column) of the ink's centre of mass, or None without ink.

    NumPy rather than cv2.moments: OpenCV reads an N x 2 array as a list of points, not an image.
    """
    weights = image.astype(np.float64)
    total = weights.sum()
    if total <= 0:
        return None
    rows = np.arange(image.shape[0]) @ weights.sum(axis=1) / total
    cols = np.arange(image.shape[1]) @ weights.sum(axis=0) / total
    return float(rows), float(cols)


def centre_by_mass(fitted: np.ndarray) -> np.ndarray:
    """Place the fitted digit in 28x28 so its centre of mass lands where MNIST's does."""
    return place_by_mass(fitted)[0]


def place_by_mass(fitted: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(28x28 field, left, top): the fitted digit placed with its centre of mass at MNIST's."""
    field = np.zeros((FIELD, FIELD), np.uint8)
    h, w = fitted.shape
    centre = centre_of_mass(fitted)
    if centre is None:
        return field, 0, 0
    cy, cx = centre
    # Whole-pixel shifts, as MNIST did: a sub-pixel shift would blur the strokes.
    left = int(np.clip(round(CENTRE - cx), 0, FIELD - w))
    top = int(np.clip(round(CENTRE - cy), 0, FIELD - h))
    field[top:top + h, left:left + w] = fitted
    return field, left, top

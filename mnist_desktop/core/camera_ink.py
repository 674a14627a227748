"""Find handwriting in a camera frame: dark ink on paper or light ink on a dark board, under uneven
light, blur, sensor noise and JPEG artefacts, as light-ink regions ready for `prepare_digit`.

grey (darkest channel, so blue ink counts) -> denoise -> black-hat / top-hat to flatten uneven light
and pick the polarity -> Otsu threshold with a contrast floor -> close small gaps -> components,
merged and split (`core.segment`) -> keep regions shaped like digits, away from the frame's edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from mnist_desktop.core.segment import DigitRegion, SegmentOptions, segment_digits


@dataclass(frozen=True)
class InkSettings:
    roi: tuple[int, int, int, int] | None = None  # (x, y, w, h) of the frame to search
    polarity: Literal["auto", "dark", "light"] = "auto"
    blur: int = 3  # denoising kernel (odd, 1 = off)
    threshold: int = 0  # 0 = automatic (Otsu), else a fixed level of ink strength 1..255
    min_contrast: int = 28  # ink must stand this many grey levels out of the paper
    min_height: float = 0.06  # digits at least this share of the searched height...
    max_height: float = 0.9  # ...and at most this share
    max_regions: int = 12


@dataclass(frozen=True)
class InkResult:
    strength: np.ndarray  # uint8, how much darker (or lighter) than the paper each pixel is
    mask: np.ndarray  # uint8 0/255, what counts as ink
    regions: list[DigitRegion]  # in frame coordinates
    polarity: str  # "dark" (ink darker than the background) or "light"
    offset: tuple[int, int]  # top-left of the searched area in the frame


def _odd(value: float) -> int:
    value = max(3, int(value))
    return value if value % 2 else value + 1


def find_ink(frame: np.ndarray, settings: InkSettings = InkSettings()) -> InkResult:
    if frame.ndim == 2:
        gray_dark = gray_light = frame
    else:
        # The darkest channel shows blue or red ink on white paper as well as black ink; the
        # brightest channel does the same for light ink on a dark board. (cv2.min: 20x NumPy's.)
        blue, green, red = cv2.split(frame)
        gray_dark = cv2.min(cv2.min(blue, green), red)
        gray_light = cv2.max(cv2.max(blue, green), red)
    x0, y0 = 0, 0
    if settings.roi is not None:
        x, y, w, h = settings.roi
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(frame.shape[1], x + w), min(frame.shape[0], y + h)
        gray_dark, gray_light = gray_dark[y0:y1, x0:x1], gray_light[y0:y1, x0:x1]
    height, width = gray_dark.shape[:2]
    if height < 8 or width < 8:
        empty = np.zeros((height, width), np.uint8)
        return InkResult(empty, empty, [], "dark", (x0, y0))

    polarity = settings.polarity
    if polarity == "auto":
        polarity = "dark" if float(np.median(gray_dark[::4, ::4])) >= 100 else "light"
    gray = gray_dark if polarity == "dark" else gray_light
    if settings.blur > 1:
        gray = cv2.GaussianBlur(gray, (_odd(settings.blur), _odd(settings.blur)), 0)
    # Strokes are thinner than this; paper shading and shadows are wider.
    size = _odd(height / 14)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    operation = cv2.MORPH_BLACKHAT if polarity == "dark" else cv2.MORPH_TOPHAT
    # Padding by repeating the edge: a strip of desk along the frame's edge becomes wide, so it is
    # not mistaken for a stroke (the black-hat only answers to features narrower than the kernel).
    padded = cv2.copyMakeBorder(gray, size, size, size, size, cv2.BORDER_REPLICATE)
    strength = cv2.morphologyEx(padded, operation, kernel)[size:-size, size:-size]

    if settings.threshold > 0:
        level = settings.threshold
    else:
        otsu, _ = cv2.threshold(strength, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        level = max(float(otsu), settings.min_contrast)
    mask = (strength >= level).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))

    options = SegmentOptions(min_height=settings.min_height * height, speck_share=0.02,
                             max_digits=settings.max_regions * 2)
    # Dark (or light) areas that are not ink: the inside of an object too big to be a stroke. The
    # black-hat answers at such an object's rim, which must not be read as a 1.
    background = float(np.percentile(gray[::4, ::4], 75 if polarity == "dark" else 25))
    off_paper = (gray < background - 2 * settings.min_contrast) if polarity == "dark" else (
        gray > background + 2 * settings.min_contrast)
    solid = off_paper & (mask == 0)
    regions = []
    for region in segment_digits(strength, options, mask=mask > 0):
        rx, ry, rw, rh = region.box
        if rh > settings.max_height * height or rw > 4.5 * rh:
            continue  # a shadow, the paper's edge, a hand: not a digit
        if rx <= 1 or ry <= 1 or rx + rw >= width - 1 or ry + rh >= height - 1:
            continue  # cut by the edge of the view: a digit half out of frame is not readable
        fill = np.count_nonzero(mask[ry:ry + rh, rx:rx + rw]) / max(1, rw * rh)
        if fill > 0.75:
            continue  # a solid blob (a thumb, a dark object), not a pen stroke
        if np.count_nonzero(solid[ry:ry + rh, rx:rx + rw]) > 0.2 * rw * rh:
            continue  # the rim of a large dark object
        pieces = tuple(DigitRegion((px + x0, py + y0, pw, ph), piece.crop)
                       for piece in region.pieces for (px, py, pw, ph) in [piece.box])
        regions.append(DigitRegion((rx + x0, ry + y0, rw, rh), region.crop, pieces))
    return InkResult(strength, mask, regions[: settings.max_regions], polarity, (x0, y0))

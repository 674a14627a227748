"""From pixels to digits: a drawing (light ink on black) or a camera frame (BGR) -> the digits in it,
left to right, each through `prepare_digit`, all read in one batched predictor call.

The predictor is anything with ``predict(N x 28 x 28 uint8) -> N x 10`` (the LiteRT `Predictor`);
core never imports the ML layer. `mnist_desktop.read_digits` adds the default model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np

from mnist_desktop.core.image_input import as_bgr
from mnist_desktop.core.preprocess import DigitStages, prepare_digit_stages
from mnist_desktop.core.segment import DigitRegion, SegmentOptions, segment_digits

# Below this probability the app says "not sure" rather than guessing silently.
UNSURE_BELOW = 0.7


class SupportsPredict(Protocol):
    def predict(self, images: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Reading:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # (x, y, w, h) in the image that was read
    probabilities: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(10))

    @property
    def sure(self) -> bool:
        return self.confidence >= UNSURE_BELOW

    def to_dict(self) -> dict[str, Any]:
        return {"digit": self.digit, "confidence": round(self.confidence, 6), "box": list(self.box)}


@dataclass(frozen=True)
class PageReading:
    """All the digits found in one image, with what was done to each."""

    readings: list[Reading]
    stages: list[DigitStages]
    regions: list[DigitRegion]

    @property
    def text(self) -> str:
        return "".join(str(r.digit) for r in self.readings)


# Cutting a blob into touching digits must be clearly more convincing than reading it whole.
SPLIT_MARGIN = 0.05
# A part joined to a neighbour is a digit of its own if the model reads every piece this surely.
PIECE_SURE = 0.8


def _prefer_pieces(origin: str, whole: float | None, pieces: np.ndarray) -> bool:
    together = float(np.exp(np.mean(np.log(np.maximum(pieces, 1e-6)))))
    if whole is None:
        return True
    if origin == "attached":
        return bool(pieces.min() >= PIECE_SURE) or together > whole
    if origin == "pair":
        return together > whole
    return together > whole + SPLIT_MARGIN


def read_regions(regions: list[DigitRegion], predictor: SupportsPredict) -> PageReading:
    """Prepare every region (and, for a possible pair of touching digits, its pieces too), read them
    all in one predictor call, and keep whichever of whole or pieces the model is surer of."""
    candidates: list[tuple[int, int, DigitRegion]] = []  # (region index, piece index or -1, region)
    for index, region in enumerate(regions):
        candidates.append((index, -1, region))
        candidates.extend((index, k, piece) for k, piece in enumerate(region.pieces))
    stages = [prepare_digit_stages(c[2].crop, ink="light") for c in candidates]
    usable = [k for k, s in enumerate(stages) if not s.empty]
    if not usable:
        return PageReading([], [], [])
    probabilities = np.zeros((len(candidates), 10), np.float32)
    probabilities[usable] = predictor.predict(np.stack([stages[k].result for k in usable]))  # one call
    confidence = probabilities.max(axis=1)

    readings, kept_stages, kept_regions = [], [], []
    for index, region in enumerate(regions):
        whole = next(k for k, c in enumerate(candidates) if c[0] == index and c[1] == -1)
        pieces = [k for k, c in enumerate(candidates) if c[0] == index and c[1] >= 0 and k in usable]
        chosen = [whole] if whole in usable else []
        if len(pieces) >= 2 and _prefer_pieces(region.origin, confidence[whole] if chosen else None,
                                               confidence[pieces]):
            chosen = pieces
        for k in chosen:
            p = probabilities[k]
            readings.append(Reading(int(p.argmax()), float(p.max()), candidates[k][2].box, p))
            kept_stages.append(stages[k])
            kept_regions.append(candidates[k][2])
    return PageReading(readings, kept_stages, kept_regions)


# A canvas is read at no more than this many pixels a side: each digit ends up 20x20 anyway, and a
# HiDPI canvas has 10x the pixels, which would cost time, not accuracy.
READ_SIDE = 320


def read_drawing(ink: np.ndarray, predictor: SupportsPredict, options: SegmentOptions | None = None) -> PageReading:
    """The digits on a canvas (uint8, 255 = ink), left to right; boxes in the canvas's pixels."""
    if ink.size == 0 or not ink.any():
        return PageReading([], [], [])
    scale = min(1.0, READ_SIDE / max(ink.shape))
    small = ink if scale == 1.0 else cv2.resize(ink, (max(1, round(ink.shape[1] * scale)),
                                                      max(1, round(ink.shape[0] * scale))),
                                               interpolation=cv2.INTER_AREA)
    options = options or SegmentOptions(min_height=max(3.0, small.shape[0] * 0.02))
    page = read_regions(segment_digits(small, options), predictor)
    if scale == 1.0:
        return page
    return _rescaled(page, 1.0 / scale)


def _rescaled(page: PageReading, factor: float) -> PageReading:
    """Boxes and transforms back in the full-size canvas's pixels."""
    from dataclasses import replace

    def grow(box):
        x, y, w, h = box
        return (int(x * factor), int(y * factor), int(np.ceil(w * factor)), int(np.ceil(h * factor)))

    readings = [replace(r, box=grow(r.box)) for r in page.readings]
    regions = [DigitRegion(grow(r.box), r.crop) for r in page.regions]
    stages = []
    for stage in page.stages:
        transform = stage.transform.copy()
        transform[:, :2] /= factor  # input pixels are `factor` times smaller in the read image
        stages.append(replace(stage, box=grow(stage.box), transform=transform))
    return PageReading(readings, stages, regions)


def read_frame(frame: np.ndarray, predictor: SupportsPredict, settings=None) -> PageReading:
    """The handwritten digits in a BGR photo or camera frame (see `core.camera_ink`)."""
    from mnist_desktop.core.camera_ink import InkSettings, find_ink

    found = find_ink(frame, settings or InkSettings())
    return read_regions(found.regions, predictor)


def read_digits(frame: np.ndarray, predictor: SupportsPredict) -> list[Reading]:
    frame = as_bgr(frame)  # any grey/BGR/BGRA picture of any numeric type; ValueError for the rest
    if frame.size == 0:
        return []
    return read_frame(frame, predictor).readings

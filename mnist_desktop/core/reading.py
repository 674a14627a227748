"""From pixels to digits: a drawing (light ink on black, `read_drawing`) or any picture (`read_frame`:
a photo, a close-up, a page, a phone photo, a webcam frame; the one path `predict`, `read`, Classify
image… and the Camera tab share) -> the marks in it along the lines of writing, each through
`prepare_digit`, read in one batched predictor call, each said to be a digit or "not a digit".

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
# Below this score of the digit/not-digit model (`ml.not_digit`) a mark is "not a digit". Chosen on
# the TUNE split of the bench's pictures (never the held-out one), each threshold read anew (whether a
# mark is cut into pieces depends on it). With the four-model ensemble (`benchmarks.train_gate`), on
# 500 tune photos, 500 tune non-digits and 300 tune frames, for the first pair of members alone: 0.2:
# 93.0% of non-digits flagged, 99.0% of digits read sure and right, 97.3% of frames exact; 0.3:
# 94.2%, 99.0%, 97.3%; 0.4: 95.2%, 99.0%, 97.0%; 0.5: 95.6%, 99.0%, 97.0%: 0.3 flags the most for
# no frame lost. All four at 0.3: 94.0%, 99.0%, 97.3% (the single model before, at its 0.2: 94.2%,
# 98.8%, 96.7%); on the check split (faces in no split) 94.0%, 96.0%, 96.3% (before: 92.4%, 95.2%,
# 96.0%).
NOT_DIGIT_BELOW = 0.3


class SupportsPredict(Protocol):
    """``predict(N x 28 x 28 uint8) -> N x 10``; optionally ``read_marks(images) -> (N x 10, N or
    None)``, the probabilities with how likely each input is a digit at all, 0..1 (the LiteRT
    `Predictor` has both)."""

    def predict(self, images: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Reading:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # (x, y, w, h) in the image that was read
    probabilities: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(10))
    digit_score: float = 1.0  # how likely the mark is a digit at all (1.0 without a digit/not-digit model)

    @property
    def not_digit(self) -> bool:
        return self.digit_score < NOT_DIGIT_BELOW

    @property
    def sure(self) -> bool:
        return self.confidence >= UNSURE_BELOW and not self.not_digit

    def to_dict(self) -> dict[str, Any]:
        return {"digit": self.digit, "confidence": round(self.confidence, 6), "box": list(self.box),
                "not_digit": self.not_digit, "digit_score": round(self.digit_score, 6)}


@dataclass(frozen=True)
class PageReading:
    """All the digits found in one image, with what was done to each."""

    readings: list[Reading]
    stages: list[DigitStages]
    regions: list[DigitRegion]

    @property
    def digits(self) -> list[Reading]:
        """The readings that are digits (marks that are not are left out)."""
        return [r for r in self.readings if not r.not_digit]

    @property
    def text(self) -> str:
        return "".join(str(r.digit) for r in self.digits)


# Cutting a blob into touching digits must be clearly more convincing than reading it whole.
SPLIT_MARGIN = 0.05
# A part joined to a neighbour is a digit of its own if the model reads every piece this surely.
PIECE_SURE = 0.8
# Up to this wide (w / h), a blob is cut into digits only if it is not a digit itself: two touching
# digits can be that narrow (a thin 1 against a narrow 0), but so are most single digits. Wider, a
# blob that reads as one digit may still be two touching ones (the model decides).
WIDE_PAIR = 1.25


# The pieces of a blob cut in any but the likeliest way count only if each reads this surely.
OTHER_CUT_SURE = 0.9
# The pieces of a blob no wider than one mark (WIDE_PAIR) count only if each reads this surely: a
# letter cut in two (an "H", an "N") gives two fairly sure "1"s. Chosen on the tune split: 0.97 with
# the first not-a-digit model (letters flagged 80% -> 92%); with the one that learns handwriting,
# 0.94 reads two marker digits squeezed into one digit's width (120 tune frames: 93 -> 101 exact,
# 150 frames with touching digits 91.3 -> 93.3%) for 4 more of 500 tune non-digits let through
# (95.0 -> 94.2% flagged); 0.9 lets 2 more of 150 tune letters through for no more touching frames.
NARROW_CUT_SURE = 0.94


# Among the ways to cut a blob whose pieces all pass, each piece costs this much surety: a marker's
# thick join cut out on its own reads as a sure "1", so a "58" also reads "518". Chosen on the tune
# split: of 120 marker frames with touching digits, 5 read with a digit too many, none with it.
PIECE_COST = 0.05


# A part of an "attached" blob shorter than this share of the other part is a stroke of that digit
# set apart (the lifted bar of a 4, the flag of a 1), not a digit of its own, while the whole reads
# as a digit: on the tune split such a stroke read as a sure "1" beside its digit ("4429" read
# "44129"). Digits in a line are about as tall as each other. Of 2,100 frames (tune, check, and
# printed and script faces of no split), 2 more read exactly and none fewer; the photos and
# non-digits of tune and check read as before.
SHORT_PART = 0.6


def _one_short(heights: list[int]) -> bool:
    return min(heights) < SHORT_PART * max(heights)


def _together(confidences: np.ndarray) -> float:
    """How surely pieces read, all of them: the geometric mean of their confidences."""
    return float(np.exp(np.mean(np.log(np.maximum(confidences, 1e-6)))))


def _prefer_pieces(origin: str, whole: float | None, pieces: np.ndarray, pieces_are_digits: bool = True,
                   whole_is_digit: bool | None = None, wide: bool = True, one_short: bool = False) -> bool:
    together = _together(pieces)
    if whole is None:
        return True
    if origin == "attached":
        # A short stroke broken off a digit (a notebook line cut the top of a 4) reads as a sure
        # "1" on its own: the pieces win only if they are digits and together read better, and a
        # part much shorter than the other only if the whole is no digit at all.
        if one_short and whole_is_digit:
            return False
        return pieces_are_digits and together > whole
    if origin == "pair":
        # Two parts side by side that read as one digit (a 4 whose strokes a notebook line broke)
        # stay one unless they are as wide as two.
        return together > whole and not (whole_is_digit and not wide)
    # Cut at guessed places: only when every piece is a digit (a scribble cut in three has pieces
    # that look like digits, but rarely all of them), read surely unless the whole is no digit at all.
    if not pieces_are_digits:
        return False
    if whole_is_digit and not wide:
        return False  # as narrow as one digit, read as one (a wide 4 or 6 is not a "21" or "10")
    return (whole_is_digit is False or bool(pieces.min() >= PIECE_SURE)) and together > whole + SPLIT_MARGIN


def read_regions(regions: list[DigitRegion], predictor: SupportsPredict) -> PageReading:
    """Prepare every region (and, for a possible pair of touching digits, its pieces too, in every
    way the segmentation proposes to cut it), read them all in one predictor call, and keep
    whichever of whole or pieces the model is surer of.

    The pieces of a blob not as wide as two digits side by side, and the other ways to cut a blob,
    are read only when the blob itself is not a digit (a second, small call, in a few frames only)."""

    def narrow(region: DigitRegion) -> bool:
        return region.origin == "cut" and region.box[2] <= WIDE_PAIR * region.box[3]

    def pieces_of(index: int, cuts: range) -> list[tuple[int, int, int, DigitRegion]]:
        return [(index, s, k, piece) for s in cuts for k, piece in enumerate(regions[index].cuts[s])]

    # (region index, cut index or -1 for the whole region, piece index, region)
    candidates: list[tuple[int, int, int, DigitRegion]] = []
    for index, region in enumerate(regions):
        candidates.append((index, -1, -1, region))
        if not narrow(region) and region.pieces:  # a narrow blob's cuts are made only if needed
            candidates.extend(pieces_of(index, range(1)))
    stages, probabilities, digit_scores = _read_candidates(candidates, predictor)
    # A blob that is no digit whole gets every other way of cutting it tried (a narrow one, its
    # first way too): read in a second call, in the few frames that have such a blob.
    extra = []
    for index, region in enumerate(regions):
        whole = _index_of(candidates, index)
        if probabilities[whole].any() and digit_scores[whole] < NOT_DIGIT_BELOW and region.pieces:
            extra += pieces_of(index, range(0 if narrow(region) else 1, len(region.cuts)))
    if extra:
        more = _read_candidates(extra, predictor)
        candidates += extra
        stages += more[0]
        probabilities = np.concatenate([probabilities, more[1]])
        digit_scores = np.concatenate([digit_scores, more[2]])
    # A reading counts for as much as the model is sure of the digit and that it is a digit at all:
    # a "10" read whole as a confident "0" is not one digit, its two pieces are.
    confidence = probabilities.max(axis=1) * np.sqrt(digit_scores)
    usable = {k for k, stage in enumerate(stages) if not stage.empty}

    readings, kept_stages, kept_regions = [], [], []
    for index, region in enumerate(regions):
        whole = _index_of(candidates, index)
        chosen = [whole] if whole in usable else []
        best = None
        for cut in sorted({c[1] for c in candidates if c[0] == index and c[1] >= 0}):
            pieces = [k for k, c in enumerate(candidates) if c[0] == index and c[1] == cut and k in usable]
            # A letter cut enough ways, or cut at all when it is as narrow as one mark, has pieces
            # that pass for digits: be stricter with those.
            needed = max(OTHER_CUT_SURE if cut > 0 else 0.0, NARROW_CUT_SURE if narrow(region) else 0.0)
            if not bool(np.all(confidence[pieces] >= needed)):
                continue
            if len(pieces) >= 2 and _prefer_pieces(region.origin, confidence[whole] if whole in usable else None,
                                                   confidence[pieces],
                                                   bool(np.all(digit_scores[pieces] >= NOT_DIGIT_BELOW)),
                                                   bool(digit_scores[whole] >= NOT_DIGIT_BELOW),
                                                   region.box[2] > WIDE_PAIR * region.box[3],
                                                   _one_short([candidates[k][3].box[3] for k in pieces])):
                together = _together(confidence[pieces]) - PIECE_COST * len(pieces)
                if best is None or together > best[0]:
                    best = (together, pieces)
        if best is not None:
            chosen = best[1]
        for k in chosen:
            p = probabilities[k]
            readings.append(Reading(int(p.argmax()), float(p.max()), candidates[k][3].box, p, float(digit_scores[k])))
            kept_stages.append(stages[k])
            kept_regions.append(candidates[k][3])
    return PageReading(readings, kept_stages, kept_regions)


def _index_of(candidates: list[tuple[int, int, int, DigitRegion]], region_index: int) -> int:
    return next(k for k, c in enumerate(candidates) if c[0] == region_index and c[1] == -1)


def _read_candidates(candidates, predictor: SupportsPredict):
    """(stages, N x 10 probabilities, N digit scores): all candidates prepared and read in one call."""
    stages = [prepare_digit_stages(c[-1].crop, ink="light") for c in candidates]
    usable = [k for k, stage in enumerate(stages) if not stage.empty]
    probabilities = np.zeros((len(candidates), 10), np.float32)
    digit_scores = np.ones(len(candidates), np.float32)
    if usable:
        batch = np.stack([stages[k].result for k in usable])
        read_marks = getattr(predictor, "read_marks", None)
        if read_marks is not None:
            probabilities[usable], scored = read_marks(batch)
        else:
            probabilities[usable], scored = predictor.predict(batch), None
        if scored is not None:
            digit_scores[usable] = scored
    return stages, probabilities, digit_scores


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


# Pictures are read at no more than this many pixels on their long side: a 4000x3000 phone photo
# holds no more digit than a 1280x960 copy of it, and costs ten times the time.
PICTURE_SIDE = 1280


def read_frame(frame: np.ndarray, predictor: SupportsPredict, settings=None) -> PageReading:
    """The handwritten marks in a BGR (or grey) picture, each read (see `core.camera_ink`); boxes
    in the picture's pixels. The one reading path for photos, close-ups, pages, video and webcam
    frames: `read_digits`, `predict`, `read`, the Draw tab's Classify image… and the Camera tab."""
    return read_frame_and_ink(frame, predictor, settings)[0]


# In a picture smaller than this (a close-up, a tight crop) a digit may touch the border; in a
# webcam frame such a digit is cut off and is not read.
CLOSE_UP_SIDE = 400


def read_frame_and_ink(frame: np.ndarray, predictor: SupportsPredict, settings=None):
    """`read_frame`, and what counted as ink (`core.camera_ink.InkResult`, in the read copy's pixels)."""
    from dataclasses import replace

    from mnist_desktop.core.camera_ink import InkSettings, find_ink

    frame = as_bgr(frame)  # one normalisation for every picture (grey, BGRA, float, bool...)
    settings = settings or InkSettings()
    height, width = frame.shape[:2]
    if max(height, width) < CLOSE_UP_SIDE and settings.roi is None:
        settings = replace(settings, close_up=True)
    scale = min(1.0, PICTURE_SIDE / max(height, width))
    if scale < 1.0:
        small = cv2.resize(frame, (max(1, round(width * scale)), max(1, round(height * scale))),
                           interpolation=cv2.INTER_AREA)
        roi = settings.roi and tuple(int(v * scale) for v in settings.roi)
        found = find_ink(small, replace(settings, roi=roi))
        return _rescaled(read_regions(found.regions, predictor), 1.0 / scale), found
    found = find_ink(frame, settings)
    return read_regions(found.regions, predictor), found



def read_digits(frame: np.ndarray, predictor: SupportsPredict) -> list[Reading]:
    """The digits in a picture, along the lines of writing; marks that are not digits left out."""
    frame = as_bgr(frame)  # any grey/BGR/BGRA picture of any numeric type; ValueError for the rest
    if frame.size == 0:
        return []
    return read_frame(frame, predictor).digits

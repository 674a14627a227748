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

from mnist_desktop.core.segment import Components, DigitRegion, SegmentOptions, segment_digits


@dataclass(frozen=True)
class InkSettings:
    roi: tuple[int, int, int, int] | None = None  # (x, y, w, h) of the frame to search
    polarity: Literal["auto", "dark", "light"] = "auto"
    blur: int = 3  # denoising kernel (odd, 1 = off)
    threshold: int = 0  # 0 = automatic (Otsu), else a fixed level of ink strength 1..255
    min_contrast: int = 28  # ink must stand this many grey levels out of the paper
    min_height: float = 0.02  # digits at least this share of the searched height (15 px of 768)...
    max_height: float = 0.9  # ...and at most this share
    max_regions: int = 12
    close_up: bool = False  # a close-up or a tight crop: marks touching the border are read too


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
    x0, y0 = 0, 0
    if settings.roi is not None:
        x, y, w, h = settings.roi
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(frame.shape[1], x + w), min(frame.shape[0], y + h)
        frame = frame[y0:y1, x0:x1]
    # Luminance for dark ink: blue and red ink are dark in it, while the pale blue and red lines of
    # notebook paper stay pale.
    gray_dark = frame if frame.ndim == 2 else cv2.cvtColor(frame[..., :3], cv2.COLOR_BGR2GRAY)
    height, width = gray_dark.shape[:2]
    if height < 8 or width < 8:
        empty = np.zeros((height, width), np.uint8)
        return InkResult(empty, empty, [], "dark", (x0, y0))

    polarity = settings.polarity
    if polarity == "auto":
        polarity = "dark" if float(np.median(gray_dark[::4, ::4])) >= 100 else "light"
    if polarity == "dark" or frame.ndim == 2:
        gray = gray_dark
    else:  # the brightest channel shows light ink on a dark board (made only then: it costs a third of a ms)
        gray = cv2.max(cv2.max(frame[..., 0], frame[..., 1]), frame[..., 2])
    if settings.blur > 1:
        gray = cv2.GaussianBlur(gray, (_odd(settings.blur), _odd(settings.blur)), 0)
    strength = ink_strength(gray, polarity)
    if polarity == "dark":
        strength = _without_printed_lines(strength)

    if settings.threshold > 0:
        level = settings.threshold
    else:
        otsu, _ = cv2.threshold(strength, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        level = max(float(otsu), settings.min_contrast)
    mask = (strength >= level).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    cleaned = remove_rulings(mask, stats)
    if cleaned is not mask:
        mask = cleaned
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if not settings.close_up:
        dropped = _page_marks(mask.shape, settings.max_height, labels, stats, gray if polarity == "dark" else None)
    else:
        dropped = _sheet_lines(mask.shape, stats)
    dropped |= _line_pieces(strength, level, stats)
    if dropped.any():
        mask = _without_components(mask, labels, dropped, stats)

    options = SegmentOptions(min_height=settings.min_height * height, speck_share=0.02,
                             max_digits=settings.max_regions * 2)
    regions = []
    # The components found here are the segmentation's own: labelling the frame again would cost
    # a tenth of the frame's time.
    for region in segment_digits(strength, options, components=Components(labels, stats, ~dropped)):
        rx, ry, rw, rh = region.box
        if not settings.close_up and (rh > settings.max_height * height or rw > 4.5 * rh):
            continue  # a shadow, the paper's edge, a hand: not a digit
        if not settings.close_up and (rx <= 1 or ry <= 1 or rx + rw >= width - 1 or ry + rh >= height - 1):
            continue  # cut by the edge of the view: a digit half out of frame is not readable
        fill = np.count_nonzero(mask[ry:ry + rh, rx:rx + rw]) / max(1, rw * rh)
        if (fill > 0.9 and rh < _BAR * rw) or _solid(mask[ry:ry + rh, rx:rx + rw]):
            continue  # a solid blob (a thumb, a dark object); a marker's "1" is a solid bar, kept
        regions.append(region.moved(x0, y0))
    return InkResult(strength, mask, regions[: settings.max_regions], polarity, (x0, y0))


def _without_components(mask: np.ndarray, labels: np.ndarray, drop: np.ndarray,
                        stats: np.ndarray) -> np.ndarray:
    """``mask`` less the connected components (``labels``, 1-based, boxes in ``stats``) that
    ``drop`` marks. Each is erased inside its own box: looking every pixel's label up in a table
    cost most of a millisecond a frame, and only a few marks (the sheet's edge) ever go."""
    out = mask.copy()
    for index in np.flatnonzero(drop):
        x, y, w, h = (int(v) for v in stats[index + 1, :4])
        box = out[y:y + h, x:x + w]
        box[labels[y:y + h, x:x + w] == index + 1] = 0
    return out


# A solid mark this many times as long as it is wide, along its own axis, is a stroke (a "1").
_BAR = 2.5


def _solid(patch: np.ndarray) -> bool:
    """A filled, rounded blob (a dot, a coin, a fingertip): no hole and nothing cut into its outline.
    Every digit has a hole or a notch, even in a heavy marker (a filled "8" keeps its waist), except
    a "1", which is a bar however it leans."""
    contours, hierarchy = cv2.findContours(patch, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours or (hierarchy is not None and np.any(hierarchy[0][:, 3] >= 0)):
        return False  # a hole: a loop of a digit
    outline = max(contours, key=cv2.contourArea)
    sides = cv2.minAreaRect(outline)[1]
    if max(sides) >= _BAR * min(sides):
        return False  # a bar, upright or slanted: a "1"
    hull = cv2.contourArea(cv2.convexHull(outline))
    return hull > 0 and cv2.contourArea(outline) >= 0.96 * hull


def _page_marks(shape: tuple[int, ...], max_height: float, labels: np.ndarray, stats: np.ndarray,
                gray: np.ndarray | None = None) -> np.ndarray:
    """Which marks (components of ``labels``) cannot be digits and go before grouping the rest:
    anything at the border of the view (a notebook's margin line, the desk beside the sheet) or
    taller than a digit may be. Left in, they would set the scale that decides which of the other
    marks are digit-sized."""
    height, width = shape[:2]
    x, y, w, h = (stats[1:, k] for k in range(4))
    # Anything at the border is cut off by it (a digit half out of view is not read) or is the desk
    # beside the sheet, the sheet's edge, a finger.
    at_border = (x <= 2) | (y <= 2) | (x + w >= width - 2) | (y + h >= height - 2)
    # The sheet's own edge against the desk: a line half the view long, a few pixels thick.
    area = stats[1:, cv2.CC_STAT_AREA]
    edge_line = (np.maximum(w / width, h / height) > 0.4) & (area < 5 * np.maximum(w, h))
    drop = at_border | edge_line | (h > max_height * height)
    if gray is not None:
        drop |= _sheet_edges(gray, labels, stats, ~drop)
    return drop


# A picture with a side under this is a crop of one digit (an MNIST-sized image): all of it is digit.
_TINY_CROP = 64


def _sheet_lines(shape: tuple[int, ...], stats: np.ndarray) -> np.ndarray:
    """In a close-up, which components are lines printed across the whole sheet that
    `remove_rulings` leaves because they come alone: a notebook's red margin line, a single ruling.
    Such a line runs from one edge of the picture to the opposite one and is thin for its length; a
    digit, even a tight crop of a "1", is not that long and thin (its stroke is at least a
    twentieth of its height)."""
    height, width = shape[:2]
    if min(height, width) < _TINY_CROP:
        return np.zeros(len(stats) - 1, bool)  # a tiny crop (an MNIST-sized image) is all digit
    x, y, w, h = (stats[1:, k] for k in range(4))
    area = stats[1:, cv2.CC_STAT_AREA]
    # Edge to edge give or take a few pixels: the lamp's fall-off may leave a line's end too pale.
    near_w, near_h = max(2, 0.05 * width), max(2, 0.05 * height)
    upright = (y <= near_h) & (y + h >= height - near_h) & (area < h * np.maximum(3.0, 0.05 * h))
    level = (x <= near_w) & (x + w >= width - near_w) & (area < w * np.maximum(3.0, 0.05 * w))
    return upright | level


# A straight mark's own line across the picture, beyond the mark, has ink over this share of its
# length or more: a printed line (a notebook's margin broken by the lamp's fall-off into pieces),
# not a pen stroke.
_ACROSS_SHARE = 0.6


def _line_pieces(strength: np.ndarray, level: float, stats: np.ndarray) -> np.ndarray:
    """Which components are thin straight marks lying on a line drawn across the whole sheet. A
    notebook's margin line comes out of the threshold in pieces, each as straight and thin as a
    "1"; what tells them apart is the band of picture along the mark: for a "1" it is paper above
    and below, for a piece of a printed line it is more of the line, most of the way across."""
    x, y, w, h = (stats[1:, k] for k in range(4))
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    long_side = np.maximum(w, h)
    # Straight and thin for its length (the band test below is what keeps a "1").
    candidates = np.flatnonzero((area < 0.2 * long_side ** 2) & (long_side >= 4 * np.minimum(w, h))
                                & (long_side >= 12))
    drop = np.zeros(len(stats) - 1, bool)
    if candidates.size == 0:
        return drop
    faint = strength >= 0.5 * level
    for index in candidates:
        if h[index] >= w[index]:
            band = faint[:, max(0, x[index] - 1):x[index] + w[index] + 1].any(axis=1)
            start, length = y[index], h[index]
        else:
            band = faint[max(0, y[index] - 1):y[index] + h[index] + 1, :].any(axis=0)
            start, length = x[index], w[index]
        # Only the band beyond the mark itself counts, and there must be more of it than of the mark:
        # a "1" filling a tight crop (an MNIST image) has its own length and little else.
        beyond = np.concatenate([band[:start], band[start + length:]])
        drop[index] = beyond.size >= length and beyond.mean() >= _ACROSS_SHARE
    return drop


# A mark this thin on average (pixels) may be the sheet's edge rather than a stroke...
_EDGE_THICKNESS = 4.0
# ...if the darkest fifth of what lies around it is under this share of the brightest fifth: paper
# on one side, the desk on the other. Around a stroke there is paper only, even in a shadow's
# half-light (a shadow dims the paper by at most half).
_EDGE_CONTRAST = 0.55


def _sheet_edges(gray: np.ndarray, labels: np.ndarray, stats: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Which components are pieces of the sheet's edge against a darker desk. Where the sheet meets
    the desk, the paper estimate leaves a thin line of "ink" that the lamp's fall-off breaks into
    pieces too short to be seen as an edge by their length alone; each piece reads as a perfect 1."""
    out = np.zeros(len(stats) - 1, bool)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    thin = candidates & (area < _EDGE_THICKNESS * np.maximum(w, h)) & (np.maximum(w, h) >= 12)
    ring_kernel = np.ones((9, 9), np.uint8)
    for index in np.flatnonzero(thin):
        x, y, bw, bh = (int(v) for v in stats[index + 1, :4])
        x0, y0 = max(0, x - 6), max(0, y - 6)
        x1, y1 = min(gray.shape[1], x + bw + 6), min(gray.shape[0], y + bh + 6)
        own = (labels[y0:y1, x0:x1] == index + 1).astype(np.uint8)
        ring = (cv2.dilate(own, ring_kernel) > 0) & (cv2.dilate(own, np.ones((3, 3), np.uint8)) == 0)
        around = gray[y0:y1, x0:x1][ring]
        if around.size >= 20:
            dark, bright = np.percentile(around, (20, 80))
            out[index] = dark < _EDGE_CONTRAST * bright
    return out


# The paper's light is estimated on a copy this many pixels on its short side: shading is smooth,
# so nothing is lost, and the estimate costs the same for a webcam frame and a 12-megapixel photo.
_BACKGROUND_SIDE = 120


# A hard shadow (a hand, a phone) has an edge sharper than the paper estimate's wide kernel can
# follow: the wedge of shadow beside its edge would come out as "ink". A second estimate with a kernel
# this fraction of the short side follows the shadow's edge; it is trusted where it is at most this
# much darker than the wide one, since a cast shadow dims the paper by a fraction, while ink as wide as
# that kernel (a marker stroke in a close-up) is far darker than the paper around it.
_SHADOW_KERNEL_FRACTION = 1 / 6
_SHADOW_DEPTH = 0.4


def _paper_estimate(image: np.ndarray, size: int, operation: int) -> np.ndarray:
    """A closing (or opening) of ``image`` with a disc ``size`` wide: the paper with the ink taken
    out. Edge padding: a strip of desk at the border stays background, never becomes a stroke."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    padded = cv2.copyMakeBorder(image, size, size, size, size, cv2.BORDER_REPLICATE)
    return cv2.morphologyEx(padded, operation, kernel)[size:-size, size:-size]


def _with_shadows(small: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """The paper estimate ``paper`` of ``small``, following hard shadow edges (see above)."""
    near = _paper_estimate(small, _odd(min(small.shape) * _SHADOW_KERNEL_FRACTION), cv2.MORPH_CLOSE)
    shade = near.astype(np.float32) >= (1 - _SHADOW_DEPTH) * paper
    return np.where(shade, near, paper)


def ink_strength(gray: np.ndarray, polarity: str = "dark") -> np.ndarray:
    """How much darker (or, for light ink, lighter) than the paper around it each pixel is, 0..255.

    The paper's own brightness is estimated first with a closing (an opening for light ink) as wide
    as a third of the picture: wider than any pen stroke, even a marker's in a close-up, so the
    estimate is the paper under the ink, with its gradients, shadows and vignetting; a narrower
    estimate takes over along a hard shadow's edge, where it finds the paper only moderately darker.
    Dark ink is then measured relative to that paper (a shadow dims ink and paper alike).
    """
    height, width = gray.shape
    scale = min(1.0, _BACKGROUND_SIDE / min(height, width))
    small = gray if scale == 1.0 else cv2.resize(gray, (max(1, round(width * scale)), max(1, round(height * scale))),
                                                 interpolation=cv2.INTER_AREA)
    # The wide estimate only has to be smooth, so it is made on a half-size copy again (its kernel
    # costs as the square of its size: a tenth of the time at full size).
    coarse = cv2.resize(small, (max(1, small.shape[1] // 2), max(1, small.shape[0] // 2)), interpolation=cv2.INTER_AREA)
    operation = cv2.MORPH_CLOSE if polarity == "dark" else cv2.MORPH_OPEN
    paper = _paper_estimate(coarse, _odd(min(coarse.shape) / 3), operation)
    paper = cv2.resize(paper, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    if polarity == "dark":
        paper = _with_shadows(small, paper)
    paper = cv2.blur(paper, (3, 3))
    if scale != 1.0:
        paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    if polarity == "dark":
        # (paper - pixel) / paper, in saturating uint8 arithmetic (a fifth of the time of float NumPy).
        return cv2.divide(cv2.subtract(paper, gray), cv2.max(paper, 32), scale=255)
    return cv2.subtract(gray, paper)


def remove_rulings(mask: np.ndarray, stats: np.ndarray | None = None) -> np.ndarray:
    """Erase the printed lines of ruled or squared paper from an ink mask.

    A ruling is a thin straight line across most of the picture, nearly level or upright, and comes
    with others parallel to it, or alone from edge to edge (a margin line). Only its own thin band is
    erased: where a pen stroke crosses it (ink above and below), the crossing is kept. ``stats`` may give the mask's connected components
    (`cv2.connectedComponentsWithStats`) when the caller has them already.
    """
    height, width = mask.shape
    if stats is None:
        stats = cv2.connectedComponentsWithStats(mask, connectivity=8)[2]
    if len(stats) <= 1 or not np.any((stats[1:, cv2.CC_STAT_WIDTH] >= 0.4 * width)
                                     | (stats[1:, cv2.CC_STAT_HEIGHT] >= 0.4 * height)):
        return mask  # nothing long enough: plain paper, the common case, costs nothing more
    # Lines are found on a half-size copy (a quarter of the time); a max-pool keeps 1-pixel lines.
    half = cv2.resize(cv2.dilate(mask, np.ones((2, 2), np.uint8)), (width // 2, height // 2),
                      interpolation=cv2.INTER_NEAREST)
    short = min(width, height) // 2
    lines = cv2.HoughLinesP(half, 1, np.pi / 180, threshold=int(0.25 * short),
                            minLineLength=int(0.3 * short), maxLineGap=max(2, short // 20))
    if lines is None:
        return mask
    lines = lines * 2
    level, upright = [], []
    for x1, y1, x2, y2 in lines[:, 0]:
        angle = np.degrees(np.arctan2(y2 - y1, x2 - x1)) % 180
        if angle < 15 or angle > 165:
            level.append((x1, y1, x2, y2))
        elif 75 < angle < 105:
            upright.append((x1, y1, x2, y2))
    band = np.zeros_like(mask)
    lone_lines = min(height, width) >= _TINY_CROP  # in an MNIST-sized crop a "1" runs edge to edge
    for group, span, across, stroke in ((level, width, 1, (7, 1)), (upright, height, 0, (1, 7))):
        if not any(np.hypot(x2 - x1, y2 - y1) >= 0.5 * span for x1, y1, x2, y2 in group):
            continue
        # Rulings come in families of parallel lines with paper between them; a thick stroke gives
        # segments too, but side by side.
        offsets = sorted({int(round((seg[across] + seg[across + 2]) / 2 / 8)) for seg in group})
        families = 1 + sum(b - a > 1 for a, b in zip(offsets[:-1], offsets[1:]))
        # A line alone is printed too when it runs from edge to edge: a notebook's margin line, which
        # a digit written across it would otherwise join (and go with it as a mark at the border).
        if families < 3 and not (lone_lines and any(_edge_to_edge(seg, across, span) for seg in group)):
            continue
        lines_here = np.zeros_like(mask)
        for x1, y1, x2, y2 in group:
            cv2.line(lines_here, (int(x1), int(y1)), (int(x2), int(y2)), 255, 3)
        # Never erase across a stroke thicker than a printed line (7 px or more across the line).
        thick = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones(stroke, np.uint8))
        band |= cv2.bitwise_and(lines_here, cv2.bitwise_not(thick))
    if not band.any():
        return mask
    band = cv2.bitwise_and(band, mask)
    # Where ink goes on at both sides of the band, a stroke crosses the line: keep the crossing. (The
    # band may be a few segments side by side, several pixels wide in all.)
    rest = cv2.bitwise_and(mask, cv2.bitwise_not(band))
    crossing = cv2.morphologyEx(rest, cv2.MORPH_CLOSE, np.ones((15, 1), np.uint8))
    crossing |= cv2.morphologyEx(rest, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))
    return cv2.bitwise_or(rest, cv2.bitwise_and(band, crossing))


def _edge_to_edge(segment, across: int, span: int) -> bool:
    """Whether a Hough segment runs (nearly) the whole ``span`` of the picture along its direction."""
    along = 1 - across
    ends = sorted((segment[along], segment[along + 2]))
    margin = max(4, 0.03 * span)
    return ends[0] <= margin and ends[1] >= span - 1 - margin


def _without_printed_lines(strength: np.ndarray, floor: int = 14, strips: int = 4) -> np.ndarray:
    """``strength`` less the printed lines of ruled or squared paper photographed square on.

    A printed row (column) is inked across the whole sheet: in every strip of it but one (a digit or a
    shadow may break it there), more than half inked. Four or more of them, thin and evenly spaced,
    are the paper's printing, and each is taken off by its own strength along its whole length, so
    that a faint pencil digit between lines as dark as itself is not swallowed by them (Otsu would
    count the grid as ink, and the digit joined to the grid would be dropped with it). A stroke much
    darker than the line it crosses keeps its strength there. Slanted rulings are left to
    `remove_rulings`, which works on the thresholded mask.
    """
    height, width = strength.shape
    inked = cv2.compare(strength, floor, cv2.CMP_GE)
    lines = None  # made only for a lined sheet: most frames have none
    for upright in (False, True):
        share = (cv2.resize(inked, (width, strips), interpolation=cv2.INTER_AREA).T if upright
                 else cv2.resize(inked, (strips, height), interpolation=cv2.INTER_AREA))
        first, last = _printed_rows(share)
        if not _evenly_spaced(first, last):
            continue
        # Each line with its blurred rim; its strength is low along its whole length (every fourth
        # pixel), so that a digit crossing it, even a big one, does not count.
        covered = np.zeros(len(share), bool)
        for start, end in zip(first, last):
            covered[max(0, start - 1):end + 2] = True
        index = np.flatnonzero(covered)
        samples = strength[::4, index].T if upright else strength[index, ::4]
        quarter = samples.shape[1] // 4
        level = np.partition(samples, quarter, axis=1)[:, quarter].astype(np.float32)
        own_start, own_end = np.searchsorted(index, first), np.searchsorted(index, last, side="right")
        cap = 1.5 * float(np.median([level[a:b].max() for a, b in zip(own_start, own_end)]))
        level = np.minimum(level, cap).astype(np.uint8)
        if lines is None:
            lines = np.zeros((height, width), np.uint8)
        if upright:
            lines[:, index] = np.maximum(lines[:, index], level[None, :])
        else:
            lines[index, :] = np.maximum(lines[index, :], level[:, None])
    if lines is None:
        return strength
    cleaned = cv2.subtract(strength, lines)
    darker = cv2.compare(strength, cv2.add(cv2.add(lines, lines), 10), cv2.CMP_GE)
    cv2.copyTo(strength, darker, cleaned)
    return cleaned


def _printed_rows(share: np.ndarray, inked: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    """(first rows, last rows) of the runs of rows of ``share`` (uint8, 255 = all ink) inked to
    ``inked`` or more across all its strips but one."""
    rows = np.flatnonzero((share >= inked * 255).sum(axis=1) >= share.shape[1] - 1)
    breaks = np.flatnonzero(np.diff(rows) > 1)
    return np.concatenate([rows[:1], rows[breaks + 1]]), np.concatenate([rows[breaks], rows[-1:]])


def _evenly_spaced(first: np.ndarray, last: np.ndarray, least: int = 4) -> bool:
    """At least ``least`` thin lines (rows ``first[k]`` to ``last[k]``), evenly spaced (a line may be
    missing): the printing of a sheet. Never a digit: three upright strokes of "111" fail the
    count, and a 7's bar is one line."""
    if len(first) < least:
        return False
    gaps = np.diff((first + last) / 2)
    step = float(np.median(gaps))
    thickest = int((last - first).max()) + 1
    if step < 6 or thickest > max(3, 0.3 * step):  # a fine grid, blurred, is 3 px thick
        return False
    return float(np.mean(np.abs(gaps / step - np.round(gaps / step)) < 0.2)) >= 0.7

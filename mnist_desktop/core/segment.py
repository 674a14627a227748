"""Find the separate digits in an image of light ink on black (a drawing, or a camera frame after
`mnist_desktop.core.camera_ink`), in reading order: lines top to bottom, left to right in a line.

Used by the Draw tab (several digits on the canvas) and the camera pipeline alike:
connected components -> drop specks -> merge the parts of one digit that came apart (the hat of a 5,
a 4 drawn in two strokes, a broken stroke) -> split blobs that are two touching digits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np


class LazyCuts(Sequence):
    """Ways to cut a blob into pieces, each made only when asked for: most blobs read well whole,
    and working out where to cut one costs more than reading it."""

    def __init__(self, make: Callable[[], Iterator[tuple[DigitRegion, ...]]]) -> None:
        self._make = make
        self._iterator: Iterator[tuple[DigitRegion, ...]] | None = None
        self._made: list[tuple[DigitRegion, ...]] = []
        self._finished = False

    def _upto(self, count: int) -> None:
        while len(self._made) < count and not self._finished:
            if self._iterator is None:
                self._iterator = self._make()
            way = next(self._iterator, None)
            if way is None:
                self._finished, self._iterator = True, None
            else:
                self._made.append(way)

    def __getitem__(self, index):
        if isinstance(index, slice) or index < 0:
            self._upto(sys.maxsize)
        else:
            self._upto(index + 1)
        return self._made[index]

    def __len__(self) -> int:
        self._upto(sys.maxsize)
        return len(self._made)

    # Iterating (Sequence's own, through __getitem__ until IndexError) makes one way at a time too;
    # truth must not ask for the length, which would make them all.
    def __bool__(self) -> bool:
        self._upto(1)
        return bool(self._made)


@dataclass(frozen=True)
class DigitRegion:
    box: tuple[int, int, int, int]  # (x, y, w, h) in the image
    crop: np.ndarray  # light ink of this digit only (other digits' ink removed), cropped to box
    # For two parts that may be one digit or two: the parts ("pair", "attached"). Which reading to
    # trust is the model's call (`core.reading`): it compares its confidence in both.
    parts: tuple[DigitRegion, ...] = ()
    # How the pieces came about, which sets how sure the model must be to prefer them:
    # "cut" (a wide blob cut at its thinnest columns: whole unless the pieces are clearly better),
    # "pair" (two overlapping parts side by side: whichever reads better),
    # "attached" (a digit-sized part joined to a neighbour: the pieces if each reads as a digit).
    origin: str = ""
    # For a blob wide enough to be touching digits ("cut"): the ways to cut it, likeliest first,
    # made as they are asked for (where two touching digits meet is a guess).
    ways: LazyCuts | None = field(default=None, repr=False, compare=False)

    def moved(self, dx: int, dy: int) -> DigitRegion:
        """The same region, its pieces and its other cuts, with boxes shifted by (dx, dy)."""
        x, y, w, h = self.box
        ways = None if self.ways is None else LazyCuts(
            lambda: (tuple(p.moved(dx, dy) for p in cut) for cut in self.ways))
        return DigitRegion((x + dx, y + dy, w, h), self.crop, tuple(p.moved(dx, dy) for p in self.parts),
                           self.origin, ways)

    @property
    def cuts(self) -> Sequence[tuple[DigitRegion, ...]]:
        """Every proposed way into pieces, the likeliest first (made as they are asked for)."""
        if self.ways is not None:
            return self.ways
        return (self.parts,) if self.parts else ()

    @property
    def pieces(self) -> tuple[DigitRegion, ...]:
        """The likeliest way into pieces; () for a region that is not cut."""
        cuts = self.cuts
        return cuts[0] if cuts else ()


@dataclass(frozen=True)
class SegmentOptions:
    threshold: float = 0.3  # share of the brightest ink that counts as ink
    min_height: float = 0.0  # in pixels: smaller blobs are noise
    speck_share: float = 0.03  # blobs with less area than this share of the largest are specks
    merge_overlap: float = 0.45  # parts overlapping this much horizontally are one digit...
    merge_gap: float = 0.6  # ...if the vertical gap is under this share of the taller part
    split_aspect: float = 0.45  # wider than this (w / h) may be two touching digits (the model decides)
    max_digits: int = 24


@dataclass(frozen=True)
class Components:
    """The ink's connected components as `cv2.connectedComponentsWithStats` gives them (label 0 is
    the background), with which of them are ink (``present[k]`` for label k + 1): a caller that
    has labelled its mask and then ruled marks out need not label it again."""

    labels: np.ndarray
    stats: np.ndarray
    present: np.ndarray


def segment_digits(light: np.ndarray, options: SegmentOptions = SegmentOptions(),
                   mask: np.ndarray | None = None, components: Components | None = None) -> list[DigitRegion]:
    """Regions of ``light`` that each hold one digit, in reading order. The ink pixels are, first
    found: ``components`` (the camera pipeline's own, already labelled), ``mask``, or a share of
    the peak of ``light``."""
    if light.size == 0 or not light.any():
        return []
    if components is None:
        if mask is None:
            mask = light >= max(1.0, options.threshold * float(light.max()))
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        present = np.ones(len(stats) - 1, bool)
    else:
        labels, stats, present = components.labels, components.stats, components.present
    if not present.any():
        return []
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    keep = present & ((areas >= options.speck_share * areas[present].max())
                      | (heights >= 0.4 * heights[present].max()))
    keep &= heights >= options.min_height
    ids = [i + 1 for i in np.flatnonzero(keep)]
    boxes = {i: tuple(int(v) for v in stats[i, :4]) for i in ids}
    groups, alternatives = _attach_fragments(_merge_parts(ids, boxes, options), boxes)
    regions = [(_union([boxes[i] for i in members]), members) for members in groups]
    parts_of = {tuple(sorted(groups[k])): v for k, v in alternatives.items()}
    ordered = _reading_order(regions)[: options.max_digits]
    out = []
    k = 0
    while k < len(ordered):
        box, members = ordered[k]
        if k + 1 < len(ordered) and _overlapping_neighbours(box, ordered[k + 1][0]):
            # Two parts side by side that overlap: one digit broken in two (a 0 with thin ends),
            # or two slanted digits? Offer both readings; the model decides (`core.reading`).
            other_box, other_members = ordered[k + 1]
            pair = (_crop(light, labels, box, members), _crop(light, labels, other_box, other_members))
            joined = members + other_members
            whole = _crop(light, labels, _union([box, other_box]), joined)
            out.append(DigitRegion(whole.box, whole.crop, pair, "pair"))
            k += 2
            continue
        whole = _crop(light, labels, box, members)
        own_parts = parts_of.get(tuple(sorted(members)))
        if own_parts:
            pieces = sorted(((_union([boxes[i] for i in part]), part) for part in own_parts), key=lambda bp: bp[0][0])
            out.append(DigitRegion(whole.box, whole.crop, tuple(_crop(light, labels, b, m) for b, m in pieces),
                                   "attached"))
            k += 1
            continue
        if _may_be_touching(box, options):
            def ways(box=box, members=members, light=light, labels=labels):
                return (tuple(_crop_piece(light, b, part) for b, part in cut)
                        for cut in _split_touching(box, members, labels, options))
            whole = DigitRegion(whole.box, whole.crop, (), "cut", LazyCuts(ways))
        out.append(whole)
        k += 1
    return out


def _overlapping_neighbours(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    overlap = min(ax + aw, bx + bw) - max(ax, bx)
    vertical = min(ay + ah, by + bh) - max(ay, by)
    return overlap >= 0.2 * min(aw, bw) and vertical >= 0.5 * min(ah, bh)


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def _merge_parts(ids: list[int], boxes: dict, options: SegmentOptions) -> list[list[int]]:
    """Union parts that sit above one another, overlapping horizontally, with a small gap."""
    parent = {i: i for i in ids}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    changed = True
    while changed:
        changed = False
        groups: dict[int, list[int]] = {}
        for i in ids:
            groups.setdefault(find(i), []).append(i)
        merged_boxes = {root: _union([boxes[i] for i in members]) for root, members in groups.items()}
        roots = list(merged_boxes)
        for a_index, a in enumerate(roots):
            for b in roots[a_index + 1:]:
                if find(a) == find(b):
                    continue
                ax, ay, aw, ah = merged_boxes[a]
                bx, by, bw, bh = merged_boxes[b]
                overlap = min(ax + aw, bx + bw) - max(ax, bx)
                if overlap <= 0:
                    continue
                gap = max(ay, by) - min(ay + ah, by + bh)  # negative when they overlap vertically
                small, big = sorted((aw, bw))
                taller = max(ah, bh)
                contained = overlap >= 0.8 * small
                if overlap >= options.merge_overlap * small and gap <= options.merge_gap * taller and (
                        contained or gap <= 0.25 * taller):
                    parent[find(b)] = find(a)
                    changed = True
    groups = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _attach_fragments(groups: list[list[int]], boxes: dict) -> tuple[list[list[int]], dict[int, list[list[int]]]]:
    """Pieces much shorter than the digits around them (a 5's hat drawn apart, the tail of a 2
    that broke off) join the nearest digit if they are close to it; far from any, they are noise.

    A piece big enough to be a small digit of its own keeps that reading as an alternative: the
    returned dict maps a group's index to its parts, and the model decides (`core.reading`).
    """
    if len(groups) < 2:
        return groups, {}
    merged = [list(g) for g in groups]
    parts: dict[int, list[list[int]]] = {}
    extents = [_union([boxes[i] for i in g]) for g in merged]
    heights = np.array([e[3] for e in extents], np.float64)
    typical = float(np.median(heights[heights >= 0.5 * heights.max()]))
    order = sorted(range(len(merged)), key=lambda k: heights[k])
    removed: set[int] = set()
    for k in order:
        if heights[k] >= 0.55 * typical:
            break
        best, best_distance = None, np.inf
        for j in range(len(merged)):
            if j == k or j in removed or heights[j] < 0.55 * typical:
                continue
            distance = _box_distance(extents[k], extents[j])
            if distance < best_distance:
                best, best_distance = j, distance
        if best is not None and best_distance <= 0.35 * heights[best]:
            if heights[k] >= 0.3 * typical:
                parts.setdefault(best, [list(merged[best])]).append(list(merged[k]))
            merged[best].extend(merged[k])
            extents[best] = _union([extents[best], extents[k]])
        elif heights[k] >= 0.35 * typical:
            continue  # a small digit on its own
        removed.add(k)
    kept = [k for k in range(len(merged)) if k not in removed]
    return [merged[k] for k in kept], {kept.index(k): v for k, v in parts.items() if k in kept}


def _box_distance(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    dx = max(0, max(ax, bx) - min(ax + aw, bx + bw))
    dy = max(0, max(ay, by) - min(ay + ah, by + bh))
    return float(np.hypot(dx, dy))


# Touching digits lean: cuts are tried upright and along these slants (columns per row).
CUT_SLANTS = (0.0, 0.3, -0.3)


# At most this many ways to cut one blob are offered to the model.
MAX_CUTS = 6


def _may_be_touching(box, options: SegmentOptions) -> bool:
    """Wide enough for two digits side by side that touch (the model decides if they are)."""
    return box[2] > options.split_aspect * box[3] and box[3] >= 8


def _split_touching(box, members, labels, options: SegmentOptions):
    """Where a blob wider than a digit might be cut into digits: along the lines with the least ink,
    preferring lines that cross a single stroke (a wide 0 crosses two in its middle). Lines may
    slant, as handwriting does, and how many digits touch is a guess from the width: each slant and
    each likely count gives one way, cheapest first. Returns an iterator of [(box, pixel mask in
    ``box``)], each way made only when the caller goes on to it (none for a blob that is not cut)."""
    x, y, w, h = box
    if not _may_be_touching(box, options):
        return iter(())
    region_mask = np.isin(labels[y:y + h, x:x + w], members)
    guess = w / (0.65 * h)  # handwritten digits are about 0.65 as wide as tall
    counts = sorted({max(2, int(round(guess))), max(2, int(np.floor(guess))), max(2, int(np.ceil(guess)))})
    rows, cols = np.nonzero(region_mask)
    proposals = []
    for slant in CUT_SLANTS:
        pad = int(np.ceil(abs(slant) * h / 2)) + 1
        # Where each ink pixel lands when the slant is straightened up.
        u = np.round(cols - slant * (rows - h / 2)).astype(int) + pad
        span = w + 2 * pad
        columns = np.bincount(u, minlength=span).astype(np.float64)
        sheared = np.zeros((h, span), bool)
        sheared[rows, u] = True
        runs = np.count_nonzero(np.diff(sheared.astype(np.int8), axis=0) == 1, axis=0) + sheared[0]
        typical = float(np.median(columns[columns > 0])) if np.any(columns > 0) else 0.0
        for pieces in counts:
            cuts, total = [], 0.0
            for k in range(1, pieces):
                centre = pad + int(w * k / pieces)
                half = max(2, int(0.6 * w / pieces))  # a thin 1 beside a wide 0 meets far from the middle
                lo, hi = max(pad + 1, centre - half), min(pad + w - 1, centre + half)
                if hi > lo:
                    cost = columns[lo:hi] + typical * (runs[lo:hi] > 1)
                    cuts.append(lo + int(np.argmin(cost)))
                    total += float(cost.min())
            if cuts:
                # Upright cuts and the likeliest count are preferred when costs are close.
                penalty = (1.0 if slant == 0.0 else 1.25) * (1.0 if pieces == counts[len(counts) // 2] else 1.25)
                proposals.append((total / len(cuts) * penalty, sorted(set(cuts)), u))
        if slant == 0.0:
            # Last, the blob cut in equal parts: where two digits overlap or one's stroke runs into
            # the other's (a 7's bar into the next 7), the thinnest column is often inside one of them.
            for pieces in counts:
                even = [pad + int(w * k / pieces) for k in range(1, pieces)]
                proposals.append((np.inf, even, u))
    return _distinct_cuts(sorted(proposals, key=lambda p: p[0]), rows, cols, x, y, h, w)


def _distinct_cuts(proposals, rows, cols, x, y, h, w):
    """The proposals made into pieces one at a time, as asked for, each way once, at most MAX_CUTS."""
    seen = []
    for _, cuts, u in proposals:
        cut = _cut_along(u, cuts, rows, cols, x, y, h, w)
        keys = [b for b, _ in cut]
        if len(cut) > 1 and keys not in seen:
            seen.append(keys)
            yield cut
            if len(seen) == MAX_CUTS:
                return


def _cut_along(u, cuts, rows, cols, x, y, h, w):
    out = []
    edges = [-np.inf, *cuts, np.inf]
    for left, right in zip(edges[:-1], edges[1:], strict=True):
        inside = (u >= left) & (u < right)
        if not inside.any():
            continue
        part = np.zeros((h, w), bool)
        part[rows[inside], cols[inside]] = True
        py, px = rows[inside].min(), cols[inside].min()
        ph, pw = rows[inside].max() - py + 1, cols[inside].max() - px + 1
        out.append(((x + int(px), y + int(py), int(pw), int(ph)), part[py:py + ph, px:px + pw]))
    return out


def _crop_piece(light, box, part) -> DigitRegion:
    """A piece of a cut blob: its own pixels (and their anti-aliased rim) only."""
    x, y, w, h = box
    x0, y0 = max(0, x - 2), max(0, y - 2)
    x1, y1 = min(light.shape[1], x + w + 2), min(light.shape[0], y + h + 2)
    own = np.zeros((y1 - y0, x1 - x0), np.uint8)
    own[y - y0:y - y0 + h, x - x0:x - x0 + w] = part
    own = cv2.dilate(own, np.ones((3, 3), np.uint8))
    crop = np.where(own > 0, light[y0:y1, x0:x1], 0).astype(np.uint8)
    return DigitRegion((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), crop)


# A digit continues a line if it shares this much of its height with one of the line's last digits:
# digits written higher or lower on one line still share some, lines of writing share none.
SAME_LINE_OVERLAP = 0.1


def _reading_order(regions):
    """Along the lines of writing: a digit continues the line whose last digits it overlaps most in
    height (so a line may slope, and its digits sit higher or lower), lines top to bottom."""
    lines: list[list] = []
    for region in sorted(regions, key=lambda r: r[0][0]):
        x, y, w, h = region[0]
        best, best_overlap = None, 0.0
        for line in lines:
            # Against the line's last three digits: one digit written low or high does not end it.
            for lx, ly, lw, lh in (r[0] for r in line[-3:]):
                overlap = (min(y + h, ly + lh) - max(y, ly)) / max(1, min(h, lh))
                if overlap > best_overlap:
                    best, best_overlap = line, overlap
        if best is not None and best_overlap >= SAME_LINE_OVERLAP:
            best.append(region)
        else:
            lines.append([region])
    lines.sort(key=lambda line: float(np.mean([r[0][1] + r[0][3] / 2 for r in line])))
    return [region for line in lines for region in line]


def _crop(light, labels, box, members) -> DigitRegion:
    # Two pixels of margin: the anti-aliased rim below the threshold belongs to the digit too.
    x, y, w, h = box
    x0, y0 = max(0, x - 2), max(0, y - 2)
    x1, y1 = min(light.shape[1], x + w + 2), min(light.shape[0], y + h + 2)
    patch = labels[y0:y1, x0:x1]
    # Most regions are one component: a comparison costs a fortieth of np.isin's set machinery.
    own = (patch == members[0] if len(members) == 1 else np.isin(patch, members)).astype(np.uint8)
    own = cv2.dilate(own, np.ones((5, 5), np.uint8))
    # A split region keeps only its own columns of a shared blob.
    own[:, : x - x0] = 0
    own[:, x - x0 + w:] = 0
    crop = np.where(own > 0, light[y0:y1, x0:x1], 0).astype(np.uint8)
    return DigitRegion((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), crop)

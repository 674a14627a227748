"""Find the separate digits in an image of light ink on black (a drawing, or a camera frame after
`mnist_desktop.core.camera_ink`), in reading order: lines top to bottom, left to right in a line.

Used by the Draw tab (several digits on the canvas) and the camera pipeline alike:
connected components -> drop specks -> merge the parts of one digit that came apart (the hat of a 5,
a 4 drawn in two strokes, a broken stroke) -> split blobs that are two touching digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class DigitRegion:
    box: tuple[int, int, int, int]  # (x, y, w, h) in the image
    crop: np.ndarray  # light ink of this digit only (other digits' ink removed), cropped to box


@dataclass(frozen=True)
class SegmentOptions:
    threshold: float = 0.3  # share of the brightest ink that counts as ink
    min_height: float = 0.0  # in pixels: smaller blobs are noise
    speck_share: float = 0.03  # blobs with less area than this share of the largest are specks
    merge_overlap: float = 0.45  # parts overlapping this much horizontally are one digit...
    merge_gap: float = 0.6  # ...if the vertical gap is under this share of the taller part
    split_aspect: float = 1.25  # wider than this (w / h) may be two touching digits
    max_digits: int = 24


def segment_digits(light: np.ndarray, options: SegmentOptions = SegmentOptions(),
                   mask: np.ndarray | None = None) -> list[DigitRegion]:
    """Regions of ``light`` that each hold one digit, in reading order. ``mask`` may give the ink
    pixels directly (the camera pipeline's own threshold); otherwise a share of the peak is used."""
    if light.size == 0 or not light.any():
        return []
    if mask is None:
        mask = light >= max(1.0, options.threshold * float(light.max()))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    keep = (areas >= options.speck_share * areas.max()) | (heights >= 0.4 * heights.max())
    keep &= heights >= options.min_height
    ids = [i + 1 for i in np.flatnonzero(keep)]
    boxes = {i: tuple(int(v) for v in stats[i, :4]) for i in ids}
    groups = _merge_parts(ids, boxes, options)
    regions: list[tuple[tuple[int, int, int, int], list[int]]] = []
    for members in groups:
        box = _union([boxes[i] for i in members])
        regions.extend(_split_touching(box, members, labels, light, options))
    ordered = _reading_order(regions)[: options.max_digits]
    return [_crop(light, labels, box, members) for box, members in ordered]


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


def _split_touching(box, members, labels, light, options: SegmentOptions):
    """A blob much wider than a digit is split at its thinnest column(s)."""
    x, y, w, h = box
    if w <= options.split_aspect * h or h < 8:
        return [(box, members)]
    region_mask = np.isin(labels[y:y + h, x:x + w], members)
    columns = region_mask.sum(axis=0).astype(np.float64)
    pieces = max(2, int(round(w / (0.75 * h))))
    cuts = []
    for k in range(1, pieces):
        centre = int(w * k / pieces)
        lo, hi = max(1, centre - int(0.2 * w / pieces * 2)), min(w - 1, centre + int(0.2 * w / pieces * 2))
        if hi <= lo:
            continue
        window = columns[lo:hi]
        cut = lo + int(np.argmin(window))
        if columns[cut] <= 0.35 * np.median(columns[columns > 0]):
            cuts.append(cut)
    if not cuts:
        return [(box, members)]
    out = []
    edges = [0, *cuts, w]
    for left, right in zip(edges[:-1], edges[1:], strict=True):
        part = region_mask[:, left:right]
        rows = np.flatnonzero(part.any(axis=1))
        cols = np.flatnonzero(part.any(axis=0))
        if rows.size == 0 or cols.size == 0:
            continue
        sub = (x + left + int(cols[0]), y + int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))
        out.append((sub, members))
    return out or [(box, members)]


def _reading_order(regions):
    """Lines top to bottom (boxes whose vertical middles fall in a line's band), left to right."""
    lines: list[list] = []
    for region in sorted(regions, key=lambda r: r[0][1] + r[0][3] / 2):
        x, y, w, h = region[0]
        middle = y + h / 2
        for line in lines:
            top = min(r[0][1] for r in line)
            bottom = max(r[0][1] + r[0][3] for r in line)
            if top <= middle <= bottom or abs(middle - (top + bottom) / 2) < 0.35 * (bottom - top):
                line.append(region)
                break
        else:
            lines.append([region])
    lines.sort(key=lambda line: min(r[0][1] for r in line))
    return [region for line in lines for region in sorted(line, key=lambda r: r[0][0])]


def _crop(light, labels, box, members) -> DigitRegion:
    # Two pixels of margin: the anti-aliased rim below the threshold belongs to the digit too.
    x, y, w, h = box
    x0, y0 = max(0, x - 2), max(0, y - 2)
    x1, y1 = min(light.shape[1], x + w + 2), min(light.shape[0], y + h + 2)
    own = np.isin(labels[y0:y1, x0:x1], members).astype(np.uint8)
    own = cv2.dilate(own, np.ones((5, 5), np.uint8))
    # A split region keeps only its own columns of a shared blob.
    own[:, : x - x0] = 0
    own[:, x - x0 + w:] = 0
    crop = np.where(own > 0, light[y0:y1, x0:x1], 0).astype(np.uint8)
    return DigitRegion((int(x0), int(y0), int(x1 - x0), int(y1 - y0)), crop)

"""Synthetic handwriting: digits as pen strokes, in many writing styles, for testing the Draw tab
the way people use it (replayed as mouse strokes) and for the `make bench` accuracy figure.

Each digit has several stroke templates (how people actually form it: an open or closed 4, a 1
with or without a flag, a 7 with or without a bar, a one-stroke or two-stroke 5...). A drawing
varies a template by slant, rotation, width, size (tiny in a corner to filling the canvas),
position, pen width and hand tremor. Coordinates are canvas pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Stroke = np.ndarray  # (N, 2) points, x right, y down


def _arc(cx, cy, rx, ry, start, end, n=40) -> np.ndarray:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, end, n))
    return np.column_stack([cx + rx * np.cos(t), cy + ry * np.sin(t)])


def _line(*points, n=12) -> np.ndarray:
    out = []
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(np.array([x0, y0]) * (1 - t) + np.array([x1, y1]) * t)
    out.append(np.array([points[-1]], float))
    return np.vstack(out)


def _join(*parts) -> np.ndarray:
    return np.vstack(parts)


# Templates in a unit box: x 0..1 (left to right), y 0..1 (top to bottom). Digits are narrower
# than tall, as in MNIST; a 1 is a line.
TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [
        [_arc(0.5, 0.5, 0.32, 0.48, -90, 275)],
        [_arc(0.5, 0.5, 0.36, 0.46, -100, 265)],
        [_arc(0.5, 0.52, 0.28, 0.47, -80, -450)],  # drawn clockwise
    ],
    1: [
        [_line((0.52, 0.0), (0.48, 1.0))],
        [_line((0.36, 0.16), (0.55, 0.0), (0.55, 1.0))],  # with a short flag
        [_line((0.5, 0.0), (0.5, 1.0), n=20)],
    ],
    2: [
        [_join(_arc(0.5, 0.27, 0.3, 0.27, 190, 360), _arc(0.5, 0.27, 0.3, 0.27, 0, 40),
               _line((0.73, 0.45), (0.18, 1.0), (0.85, 1.0)))],
        [_join(_arc(0.48, 0.3, 0.32, 0.3, 200, 380), _line((0.78, 0.38), (0.2, 0.98), (0.82, 0.96)))],
        [_join(_arc(0.5, 0.25, 0.28, 0.25, 180, 330), _arc(0.5, 0.25, 0.28, 0.25, 330, 380),
               _line((0.74, 0.36), (0.25, 0.92)), _arc(0.33, 0.9, 0.08, 0.08, 270, 90),
               _line((0.33, 0.98), (0.86, 0.98)))],
    ],
    3: [
        [_join(_arc(0.47, 0.25, 0.3, 0.25, 200, 450), _arc(0.47, 0.74, 0.33, 0.26, 270, 500))],
        [_join(_line((0.2, 0.02), (0.78, 0.02), (0.42, 0.42)), _arc(0.47, 0.7, 0.33, 0.28, 270, 495))],
        [_join(_arc(0.5, 0.25, 0.28, 0.25, 210, 450), _arc(0.5, 0.74, 0.3, 0.26, 270, 510))],
    ],
    4: [
        [_line((0.55, 0.0), (0.12, 0.65), (0.9, 0.65)), _line((0.65, 0.25), (0.65, 1.0))],  # closed top
        [_line((0.18, 0.0), (0.14, 0.6), (0.85, 0.6)), _line((0.7, 0.02), (0.7, 1.0))],  # open top
        [_line((0.2, 0.05), (0.18, 0.55), (0.88, 0.52)), _line((0.72, 0.0), (0.66, 1.0))],
    ],
    5: [
        [_join(_line((0.3, 0.02), (0.24, 0.45)), _arc(0.48, 0.7, 0.32, 0.3, 235, 500)),
         _line((0.3, 0.02), (0.82, 0.02))],  # body, then the hat
        [_join(_line((0.82, 0.02), (0.3, 0.02), (0.25, 0.45)), _arc(0.48, 0.7, 0.32, 0.3, 235, 500))],
        [_join(_line((0.78, 0.0), (0.28, 0.02), (0.24, 0.42)), _arc(0.5, 0.68, 0.34, 0.3, 240, 490))],
    ],
    6: [
        [_join(_arc(0.75, 0.55, 0.55, 0.55, 250, 180), _arc(0.5, 0.72, 0.3, 0.27, 180, 540))],
        [_join(_line((0.72, 0.0), (0.32, 0.42)), _arc(0.5, 0.7, 0.3, 0.29, 200, 560))],
    ],
    7: [
        [_line((0.15, 0.02), (0.85, 0.02), (0.38, 1.0))],
        [_line((0.15, 0.05), (0.85, 0.02), (0.4, 1.0)), _line((0.38, 0.5), (0.8, 0.5))],  # with a bar
        [_join(_line((0.15, 0.02), (0.85, 0.02)), _arc(1.3, 1.0, 0.85, 0.98, 270, 180))],  # curved stem
    ],
    8: [
        [np.column_stack([0.5 - 0.3 * np.sin(2 * t), 0.5 - 0.49 * np.cos(t)]) for t in [np.linspace(0, 2 * np.pi, 90)]],
        [_arc(0.5, 0.26, 0.24, 0.25, 90, 450), _arc(0.5, 0.74, 0.3, 0.26, -90, 270)],  # two rings
        [np.column_stack([0.5 + 0.28 * np.sin(2 * t), 0.5 - 0.48 * np.cos(t)]) for t in [np.linspace(0.2, 2 * np.pi + 0.3, 90)]],
    ],
    9: [
        [_join(_arc(0.45, 0.27, 0.3, 0.27, 0, -360), _line((0.75, 0.27), (0.72, 1.0)))],
        [_join(_arc(0.45, 0.3, 0.3, 0.28, -20, -380), _arc(-0.3, 0.3, 1.02, 0.7, 0, 70))],  # curved stem
        [_arc(0.45, 0.28, 0.3, 0.27, 0, -360), _line((0.76, 0.1), (0.7, 1.0))],  # two strokes
    ],
}


@dataclass(frozen=True)
class Drawing:
    digit: int
    strokes: list[np.ndarray]  # canvas pixel coordinates
    pen: float  # pen width in canvas pixels
    style: int


def _transform(strokes: list[np.ndarray], rng: np.random.Generator, canvas: int, size_range=(0.12, 0.9),
               box: tuple[float, float, float, float] | None = None) -> tuple[list[np.ndarray], float]:
    """Slant, rotate, squeeze, scale and place a unit-box template; returns strokes and height."""
    slant = rng.uniform(-0.35, 0.35)
    angle = np.radians(rng.uniform(-12, 12))
    aspect = rng.uniform(0.75, 1.3)
    out = []
    for stroke in strokes:
        p = stroke - 0.5
        p = np.column_stack([p[:, 0] * aspect + slant * -p[:, 1], p[:, 1]])
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        out.append(p @ rotation.T)
    points = np.vstack(out)
    lo, hi = points.min(axis=0), points.max(axis=0)
    if box is None:
        height = rng.uniform(*size_range) * canvas
        scale = height / max(hi[1] - lo[1], 1e-6)
        width = (hi[0] - lo[0]) * scale
        if width > 0.92 * canvas:
            scale *= 0.92 * canvas / width
        margin = 4.0
        span = (hi - lo) * scale
        x0 = rng.uniform(margin, max(margin, canvas - span[0] - margin))
        y0 = rng.uniform(margin, max(margin, canvas - span[1] - margin))
    else:
        bx, by, bw, bh = box
        scale = min(bh / max(hi[1] - lo[1], 1e-6), bw / max(hi[0] - lo[0], 1e-6))
        span = (hi - lo) * scale
        x0, y0 = bx + (bw - span[0]) / 2, by + (bh - span[1]) / 2
    placed = [(s - lo) * scale + np.array([x0, y0]) for s in out]
    return placed, float((hi[1] - lo[1]) * scale)


def _tremor(stroke: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    # Smooth, low-frequency wobble: a hand, not sensor noise.
    noise = rng.normal(0, amount, stroke.shape)
    kernel = np.ones(7) / 7
    smooth = np.column_stack([np.convolve(noise[:, k], kernel, mode="same") for k in range(2)])
    return stroke + smooth


def make_drawing(digit: int, rng: np.random.Generator, canvas: int = 280, style: int | None = None,
                 size_range=(0.12, 0.9), box=None) -> Drawing:
    templates = TEMPLATES[digit]
    style = int(rng.integers(len(templates))) if style is None else style % len(templates)
    strokes, height = _transform(templates[style], rng, canvas, size_range, box)
    strokes = [_tremor(s, rng, height * 0.006) for s in strokes]
    # Any pen people pick, from a hairline to a fat marker (up to a third of the digit's height).
    pen = float(np.clip(rng.uniform(2.0, 40.0), 2.0, max(2.0, height / 3.5)))
    return Drawing(digit, strokes, pen, style)


def drawing_set(count: int, seed: int = 0, canvas: int = 280) -> list[Drawing]:
    """``count`` drawings, digits in turn, every style, sizes and pens spread across the range."""
    rng = np.random.default_rng(seed)
    return [make_drawing(k % 10, rng, canvas) for k in range(count)]


def number_drawing(digits: str, rng: np.random.Generator, canvas: tuple[int, int] = (560, 280),
                   pen: float = 14.0) -> list[Drawing]:
    """Several digits side by side (e.g. "2026"), as a person writes a number."""
    width, height = canvas
    n = len(digits)
    slot = (width - 20) / n
    drawings = []
    for k, ch in enumerate(digits):
        box = (10 + k * slot + slot * 0.12, height * 0.15, slot * 0.76, height * 0.7)
        d = make_drawing(int(ch), rng, max(canvas), box=box)
        drawings.append(Drawing(d.digit, d.strokes, pen, d.style))
    return drawings


def render(drawings: list[Drawing] | Drawing, size: tuple[int, int] = (280, 280)) -> np.ndarray:
    """The drawing as the canvas would hold it (white ink on black), without Qt (OpenCV lines)."""
    import cv2

    if isinstance(drawings, Drawing):
        drawings = [drawings]
    image = np.zeros((size[1], size[0]), np.uint8)
    for drawing in drawings:
        for stroke in drawing.strokes:
            points = np.round(stroke * 16).astype(np.int32)
            cv2.polylines(image, [points], False, 255, max(1, int(round(drawing.pen))), cv2.LINE_AA, shift=4)
    return image

"""Camera frames of handwriting on paper, made from MNIST *test* digits (which no model here was
trained on), for testing and benchmarking the camera pipeline without a camera.

A sheet of paper carries a number written in black or blue ink; the sheet is tilted in
perspective on a desk, lit unevenly, slightly out of focus, with sensor noise and JPEG artefacts,
as a webcam would deliver it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

INKS = {
    "black": (35, 35, 40),
    "blue": (150, 60, 25),  # BGR: a ballpoint's blue
    "dark grey": (70, 70, 70),
}


@dataclass(frozen=True)
class SyntheticFrame:
    image: np.ndarray  # BGR uint8
    text: str  # the digits written, left to right
    boxes: list[tuple[int, int, int, int]]  # roughly where each digit is (before the tilt)


def _paper(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    tint = np.array([rng.uniform(205, 250), rng.uniform(210, 252), rng.uniform(210, 252)])
    grain = rng.normal(0, 3.0, (height // 4 + 1, width // 4 + 1, 1))
    grain = cv2.resize(grain, (width, height), interpolation=cv2.INTER_LINEAR)[..., None] if grain.ndim == 3 else grain
    paper = np.clip(tint + grain.reshape(height, width, 1), 0, 255)
    return paper.astype(np.float32)


def make_frame(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator, size=(640, 480),
               ink: str | None = None, hard: bool = True) -> SyntheticFrame:
    """One frame showing ``images`` (MNIST 28x28) written in a row on a sheet of paper."""
    width, height = size
    sheet_w, sheet_h = int(width * rng.uniform(0.8, 1.1)), int(height * rng.uniform(0.8, 1.1))
    sheet = _paper(sheet_h, sheet_w, rng)
    colour = np.array(INKS[ink or rng.choice(list(INKS))], np.float32)
    count = len(images)
    digit_h = int(rng.uniform(0.22, 0.42) * sheet_h)
    spacing = digit_h * rng.uniform(0.72, 0.92)
    total = spacing * (count - 1) + digit_h
    if total > sheet_w * 0.86:
        scale = sheet_w * 0.86 / total
        digit_h, spacing, total = int(digit_h * scale), spacing * scale, total * scale
    x = (sheet_w - total) / 2 + rng.uniform(-0.04, 0.04) * sheet_w
    y_mid = sheet_h / 2 + rng.uniform(-0.08, 0.08) * sheet_h
    boxes = []
    for image in images:
        big = cv2.resize(image, (digit_h, digit_h), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
        # A pen lays down ink nearly uniformly: firm up MNIST's soft edges a little.
        alpha = np.clip((big - 0.15) * 1.6, 0, 1)[..., None]
        top = int(y_mid - digit_h / 2 + rng.uniform(-0.06, 0.06) * digit_h)
        left = int(x)
        region = sheet[top:top + digit_h, left:left + digit_h]
        a = alpha[: region.shape[0], : region.shape[1]]
        sheet[top:top + digit_h, left:left + digit_h] = region * (1 - a) + colour * a
        boxes.append((left, top, digit_h, digit_h))
        x += spacing

    # The desk under the sheet, and the sheet held at an angle (perspective tilt).
    desk = np.empty((height, width, 3), np.float32)
    desk[:] = rng.uniform(40, 140, 3)
    src = np.float32([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]])
    tilt = 0.07 if hard else 0.02
    jitter = rng.uniform(-tilt, tilt, (4, 2)) * np.array([width, height])
    centre = np.array([width / 2, height / 2]) + rng.uniform(-0.03, 0.03, 2) * np.array([width, height])
    half = np.array([sheet_w, sheet_h]) / 2
    dst = np.float32(centre + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half + jitter)
    angle = np.radians(rng.uniform(-8, 8) if hard else 0)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = np.float32((dst - centre) @ rotation.T + centre)
    warp = cv2.getPerspectiveTransform(src, dst)
    frame = cv2.warpPerspective(sheet, warp, (width, height), dst=desk.copy(), borderMode=cv2.BORDER_TRANSPARENT)

    if hard:
        # Uneven light: a lamp on one side, a shadow on the other.
        gx, gy = np.meshgrid(np.linspace(-1, 1, width), np.linspace(-1, 1, height))
        direction = rng.uniform(0, 2 * np.pi)
        light = 1.0 - rng.uniform(0.15, 0.45) * (0.5 + 0.5 * (np.cos(direction) * gx + np.sin(direction) * gy))
        frame = frame * light[..., None]
        sigma = rng.uniform(0.3, 1.6)
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
        frame = frame + rng.normal(0, rng.uniform(2, 7), frame.shape)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    if hard:
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.uniform(35, 85))])
        frame = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return SyntheticFrame(frame, "".join(str(int(v)) for v in labels), boxes)


def frame_set(count: int, images: np.ndarray, labels: np.ndarray, seed: int = 0, size=(640, 480),
              hard: bool = True, max_digits: int = 4) -> list[SyntheticFrame]:
    """``count`` frames with 1-``max_digits`` digits each, drawn from the given (test) images."""
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(count):
        n = int(rng.integers(1, max_digits + 1))
        picks = rng.choice(len(images), size=n, replace=False)
        frames.append(make_frame(images[picks], labels[picks], rng, size=size, hard=hard))
    return frames

"""Which parts of a 28x28 input drove the prediction: occlusion sensitivity. Each patch is blanked
in turn (one batched call for all of them) and the drop in the predicted class's probability is
credited to the patch's pixels. Model-agnostic, no gradients, ~5 ms on LiteRT."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np


def occlusion_map(image: np.ndarray, predict: Callable[[np.ndarray], np.ndarray], target: int | None = None,
                  patch: int = 6, stride: int = 2) -> np.ndarray:
    """(28, 28) float in 0..1: how much blanking each pixel's neighbourhood lowers the target's
    probability (1 = the most important part)."""
    image = np.asarray(image, np.uint8)
    base = predict(image[None])[0]
    target = int(np.argmax(base)) if target is None else target
    corners = [(y, x) for y in range(0, 28 - patch + 1, stride) for x in range(0, 28 - patch + 1, stride)]
    batch = np.repeat(image[None], len(corners), axis=0)
    for k, (y, x) in enumerate(corners):
        batch[k, y:y + patch, x:x + patch] = 0
    drops = np.clip(base[target] - predict(batch)[:, target], 0, None)
    heat = np.zeros((28, 28), np.float64)
    counts = np.zeros((28, 28), np.float64)
    for drop, (y, x) in zip(drops, corners, strict=True):
        heat[y:y + patch, x:x + patch] += drop
        counts[y:y + patch, x:x + patch] += 1
    heat /= np.maximum(counts, 1)
    top = heat.max()
    return (heat / top).astype(np.float32) if top > 0 else heat.astype(np.float32)


def saliency_over_drawing(ink: np.ndarray, page, predict: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The occlusion map of every digit read on a drawing, placed back over the drawing: float32 of
    ``ink``'s shape in 0..1, high on the strokes the reading depended on, zero on empty paper.
    ``page`` is the `PageReading` of ``ink``."""
    heat = np.zeros(ink.shape, np.float32)
    for reading, stages, region in zip(page.readings, page.stages, page.regions, strict=True):
        local = occlusion_map(stages.result, predict, reading.digit)
        x, y, w, h = region.box
        # Back from 28x28 to the region's pixels, then into place on the drawing.
        placed = cv2.warpAffine(local, stages.transform, (w, h), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)
        placed = cv2.GaussianBlur(placed, (0, 0), max(1.0, 0.04 * max(w, h)))  # no patch edges
        # Colour the strokes themselves (and a rim), not the empty paper around them.
        inked = cv2.dilate((ink[y:y + h, x:x + w] > 32).astype(np.uint8), np.ones((5, 5), np.uint8))
        heat[y:y + h, x:x + w] = np.maximum(heat[y:y + h, x:x + w], placed * inked)
    return heat

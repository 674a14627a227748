"""Which parts of a 28x28 input drove the prediction: occlusion sensitivity. Each patch is blanked
in turn (one batched call for all of them) and the drop in the predicted class's probability is
credited to the patch's pixels. Model-agnostic, no gradients, ~5 ms on LiteRT."""

from __future__ import annotations

from collections.abc import Callable

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

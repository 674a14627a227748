"""Stratified splits: every class keeps its share in both parts."""

from __future__ import annotations

import numpy as np


def stratified_split(labels: np.ndarray, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(keep_indices, held_out_indices), both sorted; ``fraction`` of each class is held out."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < fraction < 1.0:
        raise ValueError(f"the held-out fraction must be between 0 and 1, got {fraction}")
    indices = np.arange(len(labels))
    classes = len(np.unique(labels))
    # Every class needs a member on each side: small sets hold out at least one image per class.
    held = max(int(round(len(labels) * fraction)), classes)
    if held > len(labels) - classes or np.bincount(labels).max(initial=0) < 2:
        needed = 2 * classes
        while max(int(round(needed * fraction)), classes) > needed - classes:
            needed += 1
        raise ValueError(
            f"{len(labels)} images are too few to hold out a stratified {fraction:.0%}: it needs at least "
            f"{needed} images, with at least 2 of every class"
        )
    keep, held_out = train_test_split(indices, test_size=held, random_state=seed, stratify=labels)
    return np.sort(keep), np.sort(held_out)

"""The in-memory data set every part of the app works on, and the helpers the importers share.
`load_dataset` (in `core.importers`) finds the right importer for a path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

# Images without a label (a Kaggle test.csv) carry this value; `Dataset.labeled` tells them apart.
UNLABELED = 255
NUM_CLASSES = 10  # every data set here has ten classes (digits, or Fashion-MNIST's ten kinds)
DIGIT_CLASSES = tuple(str(d) for d in range(NUM_CLASSES))
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
IMAGE_SHAPE = (28, 28)

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test images (uint8, N x 28 x 28, 0 = background, 255 = ink) with uint8 labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str = ""
    class_names: tuple[str, ...] = DIGIT_CLASSES
    notes: str = ""

    def __post_init__(self) -> None:
        for split in ("train", "test"):
            x, y = self.split(split)
            if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
                raise ValueError(f"x_{split} must be uint8 N x 28 x 28, got {x.dtype} {x.shape}")
            if y.dtype != np.uint8 or y.shape != (len(x),):
                raise ValueError(f"y_{split} must be uint8 of length {len(x)}, got {y.dtype} {y.shape}")
            # Shared between the GUI, workers and caches: nobody may change them in place.
            x.flags.writeable = False
            y.flags.writeable = False

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name == "train":
            return self.x_train, self.y_train
        if name == "test":
            return self.x_test, self.y_test
        raise ValueError(f"unknown split {name!r} (expected 'train' or 'test')")

    @property
    def labeled(self) -> bool:
        return not (np.any(self.y_train == UNLABELED) or np.any(self.y_test == UNLABELED))

    @property
    def size(self) -> int:
        return len(self.x_train) + len(self.x_test)

    @cached_property
    def checksum(self) -> str:
        """sha256 of the images and labels, recorded in model metadata to say what a model saw."""
        digest = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            digest.update(np.ascontiguousarray(array).data)
        return digest.hexdigest()

    def summary(self) -> str:
        text = f"{self.name}: {len(self.x_train):,} train / {len(self.x_test):,} test images"
        return text if self.labeled else text + " (unlabeled)"


def guess_class_names(path: Path) -> tuple[str, ...]:
    """Fashion-MNIST shares MNIST's format; its folder name is the only hint about the classes."""
    return FASHION_CLASSES if "fashion" in str(path).lower() else DIGIT_CLASSES


def display_name(path: Path) -> str:
    text = str(path).lower()
    if "fashion" in text:
        return "Fashion-MNIST"
    return path.stem if path.is_file() else path.name or str(path)


def with_held_out_test(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    source: str,
    class_names: tuple[str, ...],
    fraction: float = 1 / 7,
) -> Dataset:
    """For a source that has only one labeled part: hold out a stratified test split (1/7, as
    MNIST's 10k of 70k), deterministically, so the Evaluation tab always has something to test on."""
    from mnist_desktop.core.splits import stratified_split

    try:
        train_idx, test_idx = stratified_split(y, fraction, seed=0)
    except ValueError:
        # Too small to stratify (a class with a single image): everything is training data.
        return Dataset(name, x, y, x[:0], y[:0], source=source, class_names=class_names,
                       notes="too few images to hold out a test split")
    return Dataset(
        name,
        x[train_idx],
        y[train_idx],
        x[test_idx],
        y[test_idx],
        source=source,
        class_names=class_names,
        notes=f"test split: a stratified {fraction:.0%} held out (seed 0); the source has no test part",
    )

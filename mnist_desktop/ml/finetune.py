"""Fine-tuning the current model on the user's own drawings, so that it never makes things worse.

- It keeps the current model's architecture (its weights fit nothing else) and says so.
- It learns slowly (a tenth of the recipe's learning rate, at most `MAX_LEARNING_RATE`, constant,
  a few epochs): large steps from a trained model undo what it knew.
- MNIST is mixed in (a stratified subset) with the drawings, so the model does not forget it.
- Before and after are scored on the MNIST test split and on the saved drawings; the new model is
  offered for use only when MNIST test accuracy stays within `MNIST_TOLERANCE` of the old one.

The drawings are the data source here (`personal_training_data`), not in the Training tab.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mnist_desktop.ml.training import TrainingConfig

MAX_LEARNING_RATE = 1e-4
MAX_EPOCHS = 3
MNIST_SUBSET = 12_000  # MNIST images mixed with the drawings in each fine-tuning run
MNIST_TOLERANCE = 0.001  # 0.1 points of test accuracy


def fine_tune_config(config: TrainingConfig, architecture: str) -> TrainingConfig:
    """The user's settings, made safe for fine-tuning ``architecture`` (the current model's)."""
    train_size = config.train_size if config.train_size is not None else MNIST_SUBSET
    return replace(config, architecture=architecture, schedule="constant", patience=0,
                   learning_rate=min(config.learning_rate / 10, MAX_LEARNING_RATE),
                   epochs=min(config.epochs, MAX_EPOCHS), train_size=max(100, train_size))


def describe_fine_tuning(config: TrainingConfig, title: str) -> str:
    return (f"Fine-tuning keeps the current model's architecture ({title}), learns at "
            f"{config.learning_rate:g} for {config.epochs} epoch{'s' * (config.epochs != 1)} on "
            f"{config.train_size:,} MNIST images mixed with your drawings, and is offered for use only if "
            f"MNIST test accuracy stays within {MNIST_TOLERANCE * 100:.1f} points.")


def personal_training_data(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The drawings saved from the Draw tab as (images, labels), or None when there are none."""
    from mnist_desktop.core.personal import load_personal_dataset

    personal = load_personal_dataset(folder)
    return (personal.x_train, personal.y_train) if len(personal.x_train) else None


@dataclass(frozen=True)
class FineTuneCheck:
    mnist_before: float
    mnist_after: float
    drawings_before: float | None  # None without saved drawings
    drawings_after: float | None
    drawings: int

    @property
    def keeps_mnist(self) -> bool:
        return self.mnist_after >= self.mnist_before - MNIST_TOLERANCE

    def describe(self) -> str:
        text = f"MNIST test {self.mnist_before:.2%} → {self.mnist_after:.2%}"
        if self.drawings_before is not None:
            text += f"; your {self.drawings} drawings {self.drawings_before:.1%} → {self.drawings_after:.1%}"
        if not self.keeps_mnist:
            text += (f". MNIST accuracy fell by more than {MNIST_TOLERANCE * 100:.1f} points: the fine-tuned model is "
                     "not offered for use (the current one stays).")
        return text


def _accuracy(predictor, images: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predictor.predict(images).argmax(axis=1) == labels)) if len(images) else float("nan")


def check_fine_tune(before, after, test_images: np.ndarray, test_labels: np.ndarray,
                    drawings: tuple[np.ndarray, np.ndarray] | None) -> FineTuneCheck:
    """Score the model before and after fine-tuning (both LiteRT predictors) on MNIST test and the drawings."""
    images, labels = drawings if drawings is not None else (np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8))
    has = len(images) > 0
    return FineTuneCheck(_accuracy(before, test_images, test_labels), _accuracy(after, test_images, test_labels),
                         _accuracy(before, images, labels) if has else None,
                         _accuracy(after, images, labels) if has else None, int(len(images)))

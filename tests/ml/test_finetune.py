"""Fine-tuning rules (`ml.finetune`): the current architecture, a small learning rate, MNIST mixed in,
and no "use it" unless MNIST accuracy is kept. (The Training tab test runs a real fine-tuning.)"""

from __future__ import annotations

import numpy as np

from mnist_desktop.ml.finetune import (
    MAX_LEARNING_RATE,
    MNIST_TOLERANCE,
    check_fine_tune,
    fine_tune_config,
    personal_training_data,
)
from mnist_desktop.ml.training import TrainingConfig


def test_fine_tuning_keeps_the_architecture_and_learns_slowly():
    fast = TrainingConfig.for_architecture("fast")  # a preset with a large learning rate
    config = fine_tune_config(fast, "bn-cnn")
    assert config.architecture == "bn-cnn"
    assert config.learning_rate <= MAX_LEARNING_RATE < fast.learning_rate
    assert config.schedule == "constant" and config.epochs <= 3
    assert config.train_size is not None and config.train_size >= 100, "MNIST is mixed in"
    config.validate()


class Fixed:
    """A stand-in predictor that answers ``right`` of every ten images correctly."""

    def __init__(self, right: int) -> None:
        self.right = right

    def predict(self, images):
        labels = images[:, 0, 0].astype(int)
        wrong = (np.arange(len(images)) % 10) >= self.right
        return np.eye(10, dtype=np.float32)[np.where(wrong, (labels + 1) % 10, labels)]


def test_a_fine_tuned_model_that_loses_mnist_accuracy_is_not_offered():
    images = np.zeros((1000, 28, 28), np.uint8)
    images[:, 0, 0] = np.arange(1000) % 10
    labels = images[:, 0, 0].copy()
    kept = check_fine_tune(Fixed(10), Fixed(10), images, labels, (images[:20], labels[:20]))
    assert kept.keeps_mnist and kept.mnist_before == kept.mnist_after == 1.0 and kept.drawings == 20
    worse = check_fine_tune(Fixed(10), Fixed(9), images, labels, None)
    assert worse.mnist_before - worse.mnist_after > MNIST_TOLERANCE and not worse.keeps_mnist
    assert "not offered" in worse.describe() and worse.drawings_before is None


def test_saved_drawings_are_the_data_source(tmp_path):
    from mnist_desktop.core.personal import save_drawing

    assert personal_training_data(tmp_path) is None
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    save_drawing(digit, digit, 1, folder=tmp_path)
    images, labels = personal_training_data(tmp_path)
    assert images.shape == (1, 28, 28) and list(labels) == [1]

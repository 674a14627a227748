"""Dataset statistics and stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.core.splits import stratified_split
from mnist_desktop.core.stats import class_counts, compute_stats, ink_per_class, intensity_histogram, mean_images


def test_statistics_of_mnist(mnist):
    stats = compute_stats(mnist)
    assert stats.train_counts.tolist() == np.bincount(mnist.y_train).tolist()
    assert stats.test_counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert stats.intensity_histogram.sum() == 70_000 * 784
    assert stats.intensity_histogram[0] > stats.intensity_histogram[1:].sum()  # mostly background
    assert stats.mean_images.shape == (10, 28, 28)
    # A "1" uses the least ink and a "0" or "8" the most: the classic MNIST picture.
    assert stats.ink_mean.argmin() == 1 and stats.ink_mean.argmax() in (0, 8)


def test_statistics_match_a_direct_computation():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(200, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=200).astype(np.uint8)
    means = mean_images(images, labels)
    for c in range(10):
        np.testing.assert_allclose(means[c], images[labels == c].mean(axis=0), rtol=1e-5)
    histogram = intensity_histogram(images)
    assert histogram[17] == np.count_nonzero(images == 17)
    ink, spread = ink_per_class(images, labels)
    per_image = images.reshape(200, -1).sum(axis=1) / 255
    assert ink[3] == pytest.approx(per_image[labels == 3].mean())
    assert spread[3] == pytest.approx(per_image[labels == 3].std())
    assert class_counts(np.array([1, 1, 9, 255], np.uint8)).tolist() == [0, 2, 0, 0, 0, 0, 0, 0, 0, 1]


def test_stratified_split_keeps_class_shares(mnist):
    keep, held = stratified_split(mnist.y_train, 0.1, seed=3)
    assert len(np.intersect1d(keep, held)) == 0 and len(keep) + len(held) == 60_000
    share = np.bincount(mnist.y_train[held], minlength=10) / np.bincount(mnist.y_train, minlength=10)
    assert np.all(np.abs(share - 0.1) < 0.002)
    again = stratified_split(mnist.y_train, 0.1, seed=3)
    np.testing.assert_array_equal(held, again[1])  # reproducible


def test_stratified_split_refuses_what_it_cannot_do():
    with pytest.raises(ValueError):
        stratified_split(np.arange(10, dtype=np.uint8), 0.5)
    with pytest.raises(ValueError):
        stratified_split(np.zeros(10, np.uint8), 1.5)

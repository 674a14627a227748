"""A folder of images streamed from disk through tf.data: trains like the in-memory path while
holding only a few batches of decoded images, skips bad files, and scores its test split."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from mnist_desktop.core.errors import DatasetError
from mnist_desktop.ml import streaming
from tests.helpers import small_split, write_image_folder

# Imports TensorFlow and trains or starts processes.
pytestmark = pytest.mark.slow

PER_CLASS = 150
BATCH = 32


@pytest.fixture(scope="module")
def folder(mnist, tmp_path_factory):
    """1,500 dark-on-light 56x56 scans in 0/ ... 9/, plus one blank and one corrupt file."""
    root = tmp_path_factory.mktemp("scans")
    x, y = small_split(mnist, per_class=PER_CLASS)
    write_image_folder(root, x, y, invert=True, scale=2)
    cv2.imwrite(str(root / "3" / "blank.png"), np.full((56, 56), 255, np.uint8))
    (root / "4" / "broken.png").write_bytes(b"not a png")
    return root


def test_listing_reads_no_image_and_holds_out_a_test_split(folder, monkeypatch):
    monkeypatch.setattr(streaming, "read_image", lambda path: pytest.fail("listing must not read images"))
    listing = streaming.open_image_folder(folder)
    assert listing.x_train.dtype.kind == "U" and len(listing.x_train) + len(listing.x_test) == 10 * PER_CLASS + 2
    assert set(np.unique(listing.y_test)) == set(range(10))
    assert listing.summary().endswith("(streamed from disk)")
    with pytest.raises(DatasetError, match="no digit subfolders"):
        streaming.open_image_folder(folder / "3")


def test_streamed_training_holds_a_few_batches_and_scores_the_test_split(folder, monkeypatch):
    from mnist_desktop.ml.trained import finish
    from mnist_desktop.ml.training import TrainingConfig, TrainingHooks, train

    reads = []
    real_read = streaming.read_prepared

    def counting_read(path):
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(streaming, "read_prepared", counting_read)
    ahead = []  # images decoded but not yet trained on, at every batch

    def on_batch(progress):
        consumed = (progress.epoch * progress.batches + progress.batch) * BATCH
        ahead.append(len(reads) - consumed)

    listing = streaming.open_image_folder(folder)
    config = TrainingConfig.for_architecture("mlp", epochs=2, batch_size=BATCH, patience=0, seed=2)
    result = train(listing, config, TrainingHooks(on_batch=on_batch))
    steps = math.ceil(result.counts["train"] / BATCH)
    assert len(ahead) == 2 * steps and len(result.history) == 2 and result.stop_reason == "completed"
    # The in-memory path decodes the whole folder before the first step; streaming stays a few
    # batches ahead (prefetch and parallel reads), whatever the folder's size.
    assert max(ahead) <= 8 * BATCH < result.counts["train"], max(ahead)
    assert result.history[-1].val_accuracy > 0.6
    trained = finish(result, listing)
    assert trained.evaluation.count == len(listing.x_test) - sum(
        name.endswith(("blank.png", "broken.png")) for name in listing.x_test)
    assert trained.evaluation.accuracy > 0.6
    assert trained.metadata["dataset"]["sha256"] == listing.checksum
    assert trained.metadata["training"]["streamed_from_disk"] is True


def test_streamed_data_cannot_take_personal_drawings(folder, mnist):
    from mnist_desktop.core.errors import TrainingError
    from mnist_desktop.ml.training import TrainingConfig, select_training_data

    listing = streaming.open_image_folder(folder)
    with pytest.raises(TrainingError, match="streamed"):
        select_training_data(listing, TrainingConfig(), extra=(mnist.x_test[:5], mnist.y_test[:5]))

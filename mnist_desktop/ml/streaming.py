"""A folder of digit images too large to hold in memory (a million scans), streamed through
`tf.data` for training instead of being decoded into one NumPy array first.

`open_image_folder(path)` lists the files (paths and labels only: ~100 bytes an image) and can stand
in for a `Dataset` in `train()` and `finish()`: its ``x_train``/``x_test`` are arrays of file paths.
Training shuffles the paths, then reads and prepares each image (the same `prepare_digit` as the
in-memory importer) a batch at a time, so memory holds a few batches of images whatever the folder's
size. Unreadable or blank images are skipped (weight 0) with a warning rather than ending a long run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_desktop.core.dataset import display_name, guess_class_names
from mnist_desktop.core.errors import DatasetError
from mnist_desktop.core.imageio import IMAGE_SUFFIXES, read_image
from mnist_desktop.core.importers.image_folder import find_class_folders
from mnist_desktop.core.preprocess import prepare_digit
from mnist_desktop.core.splits import stratified_split

logger = logging.getLogger(__name__)

# As the in-memory importer (core.dataset.with_held_out_test): 1/7 held out, as MNIST's 10k of 70k.
HELD_OUT_FRACTION = 1 / 7
READ_CHUNK = 512  # images read at once when scoring the test split


@dataclass(frozen=True)
class StreamingFolder:
    """The listing of an image folder; the images stay on disk until a batch needs them."""

    name: str
    x_train: np.ndarray  # file paths (str)
    y_train: np.ndarray  # uint8 labels
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    class_names: tuple[str, ...]
    checksum: str  # of the listing (names, sizes, modification times): reading every file would take hours
    labeled: bool = True
    streaming: bool = True

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return (self.x_train, self.y_train) if name == "train" else (self.x_test, self.y_test)

    def summary(self) -> str:
        return f"{self.name}: {len(self.x_train):,} train / {len(self.x_test):,} test images (streamed from disk)"

    def iter_test_images(self, chunk: int = READ_CHUNK) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(images, labels) of the test split, ``chunk`` at a time; unusable files are left out."""
        for start in range(0, len(self.x_test), chunk):
            paths, labels = self.x_test[start:start + chunk], self.y_test[start:start + chunk]
            images, keep = zip(*(read_prepared(p) for p in paths), strict=True) if len(paths) else ((), ())
            keep = np.asarray(keep, bool)
            yield np.asarray(images, np.uint8).reshape(-1, 28, 28)[keep], labels[keep]


def open_image_folder(folder: str | Path) -> StreamingFolder:
    """List a folder of per-class subfolders ``0/`` ... ``9/`` (optionally under ``train/`` and
    ``test/``) without reading the images; `DatasetError` if there is nothing to train on."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder (streaming needs a folder of 0/ ... 9/ subfolders)")
    groups = find_class_folders(folder)
    if not groups:
        raise DatasetError(f"{folder}: no digit subfolders 0/ ... 9/ to stream images from")
    digest = hashlib.sha256()
    listed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for split, classes in sorted(groups.items()):
        paths, labels = [], []
        for label, sub in sorted(classes.items()):
            for entry in sorted(sub.iterdir()):
                if entry.suffix.lower() in IMAGE_SUFFIXES and entry.is_file():
                    stat = entry.stat()
                    digest.update(f"{split}/{label}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
                    paths.append(str(entry))
                    labels.append(label)
        listed[split] = (np.asarray(paths, dtype=str), np.asarray(labels, np.uint8))
    if not sum(len(paths) for paths, _ in listed.values()):
        raise DatasetError(f"{folder}: the digit subfolders hold no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if "train" in listed and "test" in listed:
        (x_train, y_train), (x_test, y_test) = listed["train"], listed["test"]
    else:
        x, y = next(iter(listed.values()))
        keep, held = stratified_split(y, HELD_OUT_FRACTION, seed=0)
        x_train, y_train, x_test, y_test = x[keep], y[keep], x[held], y[held]
    logger.info("streaming %s: %d training and %d test images", folder, len(x_train), len(x_test))
    return StreamingFolder(display_name(folder), x_train, y_train, x_test, y_test, source=str(folder),
                           class_names=guess_class_names(folder), checksum=digest.hexdigest())


def read_prepared(path: str | bytes) -> tuple[np.ndarray, bool]:
    """(MNIST-like 28x28 image, usable?) for one file; a bad file gives (zeros, False) and a warning."""
    name = path.decode() if isinstance(path, bytes) else str(path)
    try:
        prepared = prepare_digit(read_image(name))
    except DatasetError as exc:
        logger.warning("skipped %s", exc)
        return np.zeros((28, 28), np.uint8), False
    if not prepared.any():
        logger.warning("skipped %s: the image is blank", name)
        return prepared, False
    return prepared, True


def image_batches(tf, paths: np.ndarray, labels: np.ndarray, *, batch_size: int, shuffle: bool, seed: int,
                  encode_labels: Callable[[np.ndarray], np.ndarray]):
    """A tf.data pipeline of (float images N x 28 x 28 x 1 in 0..1, labels, sample weights: 0 for an
    unusable file) read from ``paths``.

    Only the paths are shuffled (a full shuffle of a million paths is ~100 MB at most); images are
    decoded in parallel a batch ahead of the training step and dropped once used."""
    data = tf.data.Dataset.from_tensor_slices((paths, encode_labels(labels)))
    if shuffle:
        data = data.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)

    def load(path, label):
        image, usable = tf.numpy_function(read_prepared, [path], [tf.uint8, tf.bool], stateful=False)
        image.set_shape((28, 28))
        usable.set_shape(())
        # A bad file weighs nothing (rather than being filtered out): the number of batches stays
        # known, so progress and Keras' epoch ends stay exact.
        return image, label, tf.cast(usable, tf.float32)

    data = data.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=not shuffle)
    data = data.batch(batch_size)
    data = data.map(lambda images, targets, weights: (tf.cast(images, tf.float32)[..., None] / 255.0,
                                                      targets, weights))
    return data.prefetch(2)

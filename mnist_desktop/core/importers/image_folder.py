"""A folder of digit images sorted into subfolders 0/ ... 9/ (optionally under train/ and test/).

Images may be any size and either polarity; each goes through `prepare_digit`, like a drawing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mnist_desktop.core.dataset import (
    Dataset,
    Progress,
    display_name,
    guess_class_names,
    with_held_out_test,
)
from mnist_desktop.core.errors import DatasetError
from mnist_desktop.core.limits import MAX_DATA_BYTES
from mnist_desktop.core.imageio import IMAGE_SUFFIXES, read_image
from mnist_desktop.core.preprocess import prepare_digit

def find_class_folders(folder: Path) -> dict[str, dict[int, Path]]:
    """{"all"|"train"|"test": {label: subfolder}} for the digit-named subfolders found."""
    def digits_in(parent: Path) -> dict[int, Path]:
        return {int(p.name): p for p in parent.iterdir() if p.is_dir() and p.name in "0123456789" and len(p.name) == 1}

    found = {}
    for split in ("train", "test"):
        if (folder / split).is_dir() and digits_in(folder / split):
            found[split] = digits_in(folder / split)
    if not found and digits_in(folder):
        found["all"] = digits_in(folder)
    return found


def load_image_folder(folder: Path, progress: Progress) -> Dataset:
    groups = find_class_folders(folder)
    files = {
        split: sorted(
            (path, label)
            for label, sub in classes.items()
            for path in sub.iterdir()
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
        )
        for split, classes in groups.items()
    }
    total = sum(len(v) for v in files.values())
    if total == 0:
        raise DatasetError(f"{folder}: the digit subfolders hold no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if total * 28 * 28 > MAX_DATA_BYTES:
        raise DatasetError(f"{folder}: holds {total:,} images, more than {MAX_DATA_BYTES // (28 * 28):,}, the limit")
    done = 0
    arrays = {}
    for split, entries in files.items():
        images = np.zeros((len(entries), 28, 28), np.uint8)
        labels = np.zeros(len(entries), np.uint8)
        for i, (path, label) in enumerate(entries):
            prepared = prepare_digit(read_image(path))
            if not prepared.any():
                raise DatasetError(f"{path}: the image is blank (no ink stands out from the background)")
            images[i], labels[i] = prepared, label
            done += 1
            if done % 64 == 0:
                progress(done / total)
        arrays[split] = (images, labels)

    name, classes = display_name(folder), guess_class_names(folder)
    if "train" in arrays and "test" in arrays:
        return Dataset(name, *arrays["train"], *arrays["test"], source=str(folder), class_names=classes)
    only = next(iter(arrays.values()))
    return with_held_out_test(name, *only, source=str(folder), class_names=classes)

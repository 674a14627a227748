"""One importer per file format; `detect_importer` picks one from what a path looks like."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mnist_desktop.core.dataset import Dataset, Progress
from mnist_desktop.core.errors import DatasetError

Importer = Callable[[Path, Progress], Dataset]

EXPECTED = (
    "expected a folder of IDX files (train-images-idx3-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and "
    "their labels), a Keras-layout .npz, a Kaggle-style .csv (or a folder with train.csv), or a "
    "folder of images in subfolders 0/ ... 9/"
)


def detect_importer(path: Path) -> Importer:
    from mnist_desktop.core.importers import image_folder, idx, kaggle_csv, npz

    if path.is_dir():
        if idx.find_idx_files(path):
            return idx.load_idx_folder
        if kaggle_csv.find_csv_files(path):
            return kaggle_csv.load_csv_folder
        if image_folder.find_class_folders(path):
            return image_folder.load_image_folder
        raise DatasetError(f"{path}: no data set found in this folder; {EXPECTED}")
    name = path.name.lower()
    if name.endswith(".npz"):
        return npz.load_npz_dataset
    if name.endswith(".csv"):
        return kaggle_csv.load_csv_file
    if "idx" in name and ("ubyte" in name or name.endswith(".gz")):
        # One IDX file picked in a file dialog: its folder holds the set.
        return lambda p, progress: idx.load_idx_folder(p.parent, progress)
    raise DatasetError(f"{path}: unknown data format; {EXPECTED}")

"""One importer per file format; `detect_importer` picks one from what a path looks like, and
`load_dataset` runs it (or opens the bundled MNIST)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
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


def load_dataset(source: str | Path | None = None, *, progress: Progress | None = None) -> Dataset:
    """Load a data set: ``None`` is the bundled MNIST; a path may be a folder of IDX files (gzipped
    or raw), a Keras-layout ``.npz``, a Kaggle-style CSV (or a folder with train.csv/test.csv), or a
    folder of images in per-class subfolders ``0/`` ... ``9/``.

    Raises `DatasetError` naming the file and the place for anything malformed; a data set is either
    loaded whole or not at all. ``progress`` receives fractions 0..1 for long loads.
    """
    report = progress or (lambda fraction: None)
    if source is None:
        report(0.0)
        data = _load_bundled()
        report(1.0)
        return data

    from mnist_desktop.core.files import describe_os_error, regular_file_problem

    path = Path(source).expanduser()
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    if not path.is_dir():
        problem = regular_file_problem(path)
        if problem:
            raise DatasetError(f"{path}: {problem}")
    try:
        importer = detect_importer(path)
        report(0.0)
        data = importer(path, report)
    except OSError as exc:
        raise DatasetError(describe_os_error(exc, exc.filename or path)) from None
    except MemoryError:
        raise DatasetError(f"{path}: too large to load into the memory available") from None
    report(1.0)
    return data


@lru_cache(maxsize=1)
def _load_bundled() -> Dataset:
    # Cached: the arrays are read-only, so every caller can share one copy (~55 MB).
    from mnist_desktop.core.importers.npz import load_npz
    from mnist_desktop.paths import bundled_mnist

    path = bundled_mnist()
    if not path.is_file():
        raise DatasetError(f"{path}: the bundled MNIST is missing; reinstall MNIST Desktop")
    data = load_npz(path, lambda fraction: None)
    return Dataset(
        name="MNIST",
        x_train=data.x_train,
        y_train=data.y_train,
        x_test=data.x_test,
        y_test=data.y_test,
        source="bundled MNIST (LeCun, Cortes & Burges, CC BY-SA 3.0)",
    )

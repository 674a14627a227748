"""Keras-layout .npz files (x_train, y_train, x_test, y_test), loaded without pickle."""

from __future__ import annotations

import zipfile
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
from mnist_desktop.core.importers._validate import check_labels, to_images

KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_npz(path: Path, progress: Progress) -> Dataset:
    """Both splits must be there (the bundled MNIST and anything saved by `numpy.savez`)."""
    arrays = _read(path, progress, required=KEYS)
    return Dataset(display_name(path), *(arrays[k] for k in KEYS), source=str(path),
                   class_names=guess_class_names(path))


def load_npz_dataset(path: Path, progress: Progress) -> Dataset:
    """A user's .npz: both splits, or only the training split (a test split is then held out)."""
    arrays = _read(path, progress, required=("x_train", "y_train"))
    name, classes = display_name(path), guess_class_names(path)
    if "x_test" in arrays and "y_test" in arrays:
        return Dataset(name, *(arrays[k] for k in KEYS), source=str(path), class_names=classes)
    return with_held_out_test(name, arrays["x_train"], arrays["y_train"], source=str(path),
                              class_names=classes)


def _read(path: Path, progress: Progress, *, required: tuple[str, ...]) -> dict[str, np.ndarray]:
    if path.stat().st_size == 0:
        raise DatasetError(f"{path}: the file is empty")
    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DatasetError(f"{path}: not a readable .npz archive ({exc})") from None
    except ValueError as exc:
        raise DatasetError(f"{path}: not a .npz archive of arrays ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DatasetError(f"{path}: a single .npy array, expected a .npz with {', '.join(KEYS)}")
    with archive:
        missing = [k for k in required if k not in archive.files]
        if missing:
            raise DatasetError(
                f"{path}: missing {', '.join(missing)}; a Keras-layout .npz holds {', '.join(KEYS)} "
                f"(found: {', '.join(archive.files) or 'nothing'})"
            )
        arrays: dict[str, np.ndarray] = {}
        present = [k for k in KEYS if k in archive.files]
        for done, key in enumerate(present, start=1):
            where = f"{path}, {key}"
            try:
                raw = archive[key]
            except ValueError:
                # allow_pickle=False refuses object arrays: they could run code when unpickled.
                raise DatasetError(f"{where}: holds pickled Python objects, which are refused") from None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DatasetError(f"{where}: the archive is damaged or truncated ({exc})") from None
            arrays[key] = to_images(raw, where) if key.startswith("x") else check_labels(raw, where)
            progress(done / len(present))
    for split in ("train", "test"):
        x, y = arrays.get(f"x_{split}"), arrays.get(f"y_{split}")
        if x is not None and y is not None and len(x) != len(y):
            raise DatasetError(
                f"{path}: x_{split} holds {len(x)} images but y_{split} holds {len(y)} labels"
            )
    return arrays

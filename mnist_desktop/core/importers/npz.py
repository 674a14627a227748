"""Keras-layout .npz files (x_train, y_train, x_test, y_test), loaded without pickle."""

from __future__ import annotations

import math
import zipfile
import zlib
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
    if not zipfile.is_zipfile(path):
        if _starts_with_npy(path):
            raise DatasetError(f"{path}: a single .npy array, expected a .npz with {', '.join(KEYS)}")
        raise DatasetError(f"{path}: not a readable .npz archive (not a zip file; truncated or corrupt)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DatasetError(f"{path}: not a readable .npz archive ({exc})") from None
    with archive:
        members = {name[:-4]: name for name in archive.namelist() if name.endswith(".npy")}
        missing = [k for k in required if k not in members]
        if missing:
            raise DatasetError(
                f"{path}: missing {', '.join(missing)}; a Keras-layout .npz holds {', '.join(KEYS)} "
                f"(found: {', '.join(members) or 'nothing'})"
            )
        arrays: dict[str, np.ndarray] = {}
        present = [k for k in KEYS if k in members]
        total = 0
        for done, key in enumerate(present, start=1):
            where = f"{path}, {key}"
            info = archive.getinfo(members[key])
            total += info.file_size
            if total > MAX_DATA_BYTES:
                raise DatasetError(f"{where}: the arrays unpack to more than {MAX_DATA_BYTES >> 20} MB, the limit")
            try:
                with archive.open(info) as member:
                    raw = _read_member(member, info.file_size, where)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
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


def _starts_with_npy(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(6) == b"\x93NUMPY"


def _read_member(member, size: int, where: str) -> np.ndarray:
    """One .npy member: its header is checked against the member's real size before any allocation."""
    try:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            shape, fortran, dtype = np.lib.format._read_array_header(member, version)
    except ValueError as exc:
        raise DatasetError(f"{where}: not a valid .npy array header ({str(exc).splitlines()[0][:120]})") from None
    if dtype.hasobject:
        # Object arrays are pickles: they could run code when loaded.
        raise DatasetError(f"{where}: holds pickled Python objects, which are refused")
    header = member.tell()
    needed = math.prod(shape) * dtype.itemsize
    if needed != size - header:
        raise DatasetError(
            f"{where}: the header announces {'x'.join(map(str, shape)) or 'a scalar'} {dtype} "
            f"({needed:,} bytes) but the archive holds {max(size - header, 0):,} bytes of data"
        )
    data = member.read(needed)
    if len(data) != needed:
        raise DatasetError(f"{where}: the archive is damaged or truncated")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)

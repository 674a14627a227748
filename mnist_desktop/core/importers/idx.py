"""IDX files, the format MNIST and Fashion-MNIST are published in (gzipped or raw).

Layout: 2 zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then one
big-endian uint32 per dimension, then the data. Images are 0x00000803 (N x 28 x 28), labels
0x00000801 (N).
"""

from __future__ import annotations

import gzip
import math
import os
import re
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
from mnist_desktop.core.files import describe_os_error

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

# train-images-idx3-ubyte, train-images.idx3-ubyte (as Kaggle mirrors name them), with or without .gz
_PATTERN = re.compile(r"^(train|t10k|test)-(images|labels)[.-]idx([13])-ubyte(\.gz)?$", re.IGNORECASE)


def find_idx_files(folder: Path) -> dict[tuple[str, str], Path]:
    """{("train"|"test", "images"|"labels"): path} for the standard names found in the folder."""
    found: dict[tuple[str, str], Path] = {}
    for entry in sorted(folder.iterdir()):
        match = _PATTERN.match(entry.name)
        if match and entry.is_file():
            split = "train" if match.group(1).lower() == "train" else "test"
            kind = match.group(2).lower()
            # Prefer the raw file when both it and the .gz are present: nothing to decompress.
            if (split, kind) not in found or not entry.name.lower().endswith(".gz"):
                found[(split, kind)] = entry
    return found


def load_idx_folder(folder: Path, progress: Progress) -> Dataset:
    files = find_idx_files(folder)
    pairs = {}
    for split in ("train", "test"):
        images, labels = files.get((split, "images")), files.get((split, "labels"))
        if (images is None) != (labels is None):
            have, lack = (images, "labels") if images else (labels, "images")
            raise DatasetError(f"{have}: its {lack} file is missing from {folder}")
        if images is not None:
            pairs[split] = (images, labels)
    if not pairs:
        raise DatasetError(f"{folder}: no IDX files with the standard names (train-images-idx3-ubyte…)")

    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    steps = 2 * len(pairs)
    step = 0
    for split, (images_path, labels_path) in pairs.items():
        images = read_idx(images_path, IMAGES_MAGIC)
        step += 1
        progress(step / steps)
        labels = read_idx(labels_path, LABELS_MAGIC)
        step += 1
        progress(step / steps)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            size = "x".join(map(str, images.shape[1:])) or "single bytes"
            raise DatasetError(f"{images_path}: images are {size}, expected 28x28")
        if labels.ndim != 1:
            raise DatasetError(f"{labels_path}: labels must be a flat list, the header announces {labels.ndim} dimensions")
        if len(images) != len(labels):
            raise DatasetError(
                f"{images_path} holds {len(images)} images but {labels_path.name} holds {len(labels)} labels"
            )
        bad = np.flatnonzero(labels > 9)
        if bad.size:
            i = int(bad[0])
            raise DatasetError(
                f"{labels_path}: label {labels[i]} at offset {8 + i} (item {i}) is outside 0-9 "
                f"({bad.size} bad labels in all)"
            )
        arrays[split] = (images, labels)

    name, classes = display_name(folder), guess_class_names(folder)
    if "train" in arrays and "test" in arrays:
        return Dataset(name, *arrays["train"], *arrays["test"], source=str(folder), class_names=classes)
    only = next(iter(arrays.values()))
    return with_held_out_test(name, *only, source=str(folder), class_names=classes)


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """The array in one IDX file, checked against its header; errors name the byte offset.

    The header is read first and checked against the real size of the data (the file's size, or
    for a .gz at most one byte more than announced is decompressed), so neither a lying header nor
    a gzip bomb can make it allocate more than `MAX_DATA_BYTES`.
    """
    kind = "images" if expected_magic == IMAGES_MAGIC else "labels"
    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
            try:
                return _read_idx_stream(path, stream, expected_magic, kind, None if gzipped else raw_size(raw))
            except (EOFError, OSError, zlib.error) as exc:
                if not gzipped:
                    raise
                raise DatasetError(f"{path}: the gzip stream is damaged or truncated ({exc})") from None
    except OSError as exc:
        raise DatasetError(describe_os_error(exc, path)) from None


def raw_size(handle) -> int:
    return os.fstat(handle.fileno()).st_size


def _read_idx_stream(path: Path, stream, expected_magic: int, kind: str, file_size: int | None) -> np.ndarray:
    head = stream.read(4)
    if len(head) == 0:
        raise DatasetError(f"{path}: the file is empty")
    if len(head) < 4:
        raise DatasetError(f"{path}: truncated at offset {len(head)}: the 4-byte magic number is incomplete")
    magic = int.from_bytes(head, "big")
    if magic != expected_magic:
        raise DatasetError(
            f"{path}: wrong magic number 0x{magic:08x} at offset 0 "
            f"(expected 0x{expected_magic:08x} for an IDX file of {kind})"
        )
    ndim = head[3]
    header = 4 + 4 * ndim
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DatasetError(
            f"{path}: truncated at offset {4 + len(dims)}: the header needs {header} bytes for {ndim} dimensions"
        )
    shape = tuple(int.from_bytes(dims[4 * i: 4 + 4 * i], "big") for i in range(ndim))
    # Python integers: a product of 32-bit dimensions can overflow NumPy's int64.
    expected = math.prod(shape)
    if expected > MAX_DATA_BYTES:
        raise DatasetError(
            f"{path}: the header announces {shape[0]:,} items of {'x'.join(map(str, shape[1:])) or '1'} bytes "
            f"({expected:,} bytes), more than {MAX_DATA_BYTES >> 20} MB, the limit"
        )
    if file_size is not None:
        available = file_size - header
        data = stream.read(expected) if available == expected else b""
    else:
        data = stream.read(expected + 1)
        available = len(data)
    if available < expected:
        raise DatasetError(
            f"{path}: truncated at offset {header + available}: the header announces {shape[0]} items "
            f"({expected} bytes after the {header}-byte header) but only {available} bytes follow"
        )
    if available > expected:
        extra = f"{available - expected} unexpected bytes" if file_size is not None else "unexpected bytes"
        raise DatasetError(
            f"{path}: {extra} after offset {header + expected} (the header announces {shape[0]} items)"
        )
    if len(data) < expected:
        raise DatasetError(f"{path}: truncated while reading (the file changed?)")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)

"""Kaggle "Digit Recognizer" CSV files: ``label,pixel0..pixel783`` per row (train.csv), or the 784
pixel columns alone (test.csv, images to predict without labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mnist_desktop.core.dataset import (
    UNLABELED,
    Dataset,
    Progress,
    display_name,
    guess_class_names,
    with_held_out_test,
)
from mnist_desktop.core.errors import DatasetError
from mnist_desktop.core.files import regular_file_problem

PIXELS = 784
# MNIST's 70,000 images as CSV take 130 MB; parsing costs about 8 times the text in memory.
MAX_CSV_BYTES = 256 * 1024 * 1024
_CHUNK_ROWS = 2000


def find_csv_files(folder: Path) -> dict[str, Path]:
    found = {}
    for entry in folder.iterdir():
        stem = entry.stem.lower()
        if entry.is_file() and entry.suffix.lower() == ".csv" and stem in ("train", "test"):
            found[stem] = entry
    return found


def load_csv_folder(folder: Path, progress: Progress) -> Dataset:
    """Kaggle's layout: train.csv (labeled) and optionally test.csv (labeled or not)."""
    files = find_csv_files(folder)
    if "train" not in files:
        return load_csv_file(files["test"], progress)
    name, classes = display_name(folder), guess_class_names(folder)
    share = 0.5 if "test" in files else 1.0
    x_train, y_train = read_csv(files["train"], lambda f: progress(f * share))
    if y_train is None:
        raise DatasetError(f"{files['train']}: has no label column; train.csv must start with 'label'")
    if "test" not in files:
        return with_held_out_test(name, x_train, y_train, source=str(folder), class_names=classes)
    x_test, y_test = read_csv(files["test"], lambda f: progress(0.5 + f * 0.5))
    notes = ""
    if y_test is None:
        y_test = np.full(len(x_test), UNLABELED, np.uint8)
        notes = "test.csv has no labels: its images can be predicted but not scored"
    return Dataset(name, x_train, y_train, x_test, y_test, source=str(folder), class_names=classes,
                   notes=notes)


def load_csv_file(path: Path, progress: Progress) -> Dataset:
    images, labels = read_csv(path, progress)
    name, classes = display_name(path), guess_class_names(path)
    if labels is not None:
        return with_held_out_test(name, images, labels, source=str(path), class_names=classes)
    # Unlabeled images are for prediction: they form the "test" split, with nothing to train on.
    return Dataset(
        name,
        images[:0],
        np.zeros(0, np.uint8),
        images,
        np.full(len(images), UNLABELED, np.uint8),
        source=str(path),
        class_names=classes,
        notes="no label column: images to predict, not to train or score",
    )


def read_csv(path: Path, progress: Progress) -> tuple[np.ndarray, np.ndarray | None]:
    """(images uint8 N x 28 x 28, labels uint8 N or None when the file has no label column)."""
    problem = regular_file_problem(path)
    if problem:
        raise DatasetError(f"{path}: {problem}")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_CSV_BYTES >> 20} MB, the limit for a CSV file")
    try:
        with open(path, "rb") as handle:
            # Bounded even if the file grows while it is read.
            text = handle.read(MAX_CSV_BYTES + 1).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not a text CSV file (byte {exc.start} is not UTF-8)") from None
    if len(text) > MAX_CSV_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_CSV_BYTES >> 20} MB, the limit for a CSV file")
    # Whole-line comments are skipped; every other line keeps its number in the file for messages.
    numbered = [(i, line) for i, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise DatasetError(f"{path}: the file is empty")

    first_no, first = numbered[0]
    header = [cell.strip().strip('"') for cell in first.split(",")]
    # A header has names in it; a row of numbers (NaN among them) is data, checked below.
    has_header = not all(_parses(cell) for cell in header)
    ncols = len(header)
    if ncols not in (PIXELS, PIXELS + 1):
        raise DatasetError(
            f"{path}, line {first_no}: {ncols} columns; expected {PIXELS + 1} (label,pixel0..pixel783) "
            f"or {PIXELS} (pixel0..pixel783, no labels)"
        )
    labeled = ncols == PIXELS + 1
    if has_header:
        if labeled and header[0].lower() != "label":
            raise DatasetError(f"{path}, line {first_no}: the first column is {header[0]!r}, expected 'label'")
        numbered = numbered[1:]
    if not numbered:
        raise DatasetError(f"{path}: has a header but no rows of pixels")
    column_names = (["label"] if labeled else []) + [f"pixel{i}" for i in range(PIXELS)]

    chunks = []
    for start in range(0, len(numbered), _CHUNK_ROWS):
        rows = numbered[start:start + _CHUNK_ROWS]
        chunks.append(_parse_rows(path, rows, column_names))
        progress(min(1.0, (start + len(rows)) / len(numbered)))
    table = np.concatenate(chunks)
    line_of = [number for number, _ in numbered]

    pixels = table[:, 1:] if labeled else table
    bad_rows = np.flatnonzero(((pixels < 0) | (pixels > 255) | (pixels != np.round(pixels))).any(axis=1))
    if bad_rows.size:
        row = int(bad_rows[0])
        values = pixels[row]
        col = int(np.flatnonzero((values < 0) | (values > 255) | (values != np.round(values)))[0])
        raise DatasetError(
            f"{path}, line {line_of[row]}, column {col + 1 + labeled} (pixel{col}): "
            f"{values[col]:g} is not a whole number 0-255"
        )
    labels = None
    if labeled:
        raw = table[:, 0]
        bad = np.flatnonzero((raw < 0) | (raw > 9) | (raw != np.round(raw)))
        if bad.size:
            row = int(bad[0])
            raise DatasetError(f"{path}, line {line_of[row]}: label {raw[row]:g} is outside 0-9")
        labels = raw.astype(np.uint8)
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def _parse_rows(path: Path, rows: list[tuple[int, str]], column_names: list[str]) -> np.ndarray:
    try:
        table = np.loadtxt([line for _, line in rows], delimiter=",", dtype=np.float64, ndmin=2, comments=None)
        if table.shape[1] == len(column_names):
            return table
    except ValueError:
        pass
    # The fast parser only says that something is wrong; find exactly where, for the message.
    for number, line in rows:
        cells = line.split(",")
        if len(cells) != len(column_names):
            raise DatasetError(f"{path}, line {number}: {len(cells)} columns, expected {len(column_names)}")
        for col, cell in enumerate(cells):
            if not _is_number(cell.strip()):
                raise DatasetError(
                    f"{path}, line {number}, column {col + 1} ({column_names[col]}): "
                    f"{cell.strip()!r} is not a number"
                )
    raise DatasetError(f"{path}, lines {rows[0][0]}-{rows[-1][0]}: could not be read as numbers")


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return np.isfinite(value)

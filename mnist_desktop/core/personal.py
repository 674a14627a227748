"""The user's own drawings, kept when they correct a wrong reading on the Draw tab.

Stored as plain PNG files in the user data folder, one subfolder per label (the layout the image
folder importer reads too): ``NAME.png`` is the 28x28 input the model saw, ``NAME-original.png`` the
drawing as it was on the canvas. Plain files: the user can look at them, copy or delete them.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from pathlib import Path

import numpy as np

from mnist_desktop.core.dataset import Dataset
from mnist_desktop.core.files import atomic_path


def drawings_dir() -> Path:
    from mnist_desktop.paths import user_data_dir

    return user_data_dir() / "drawings"


def save_drawing(prepared: np.ndarray, original: np.ndarray, label: int, folder: Path | None = None) -> Path:
    """Store one corrected drawing; returns the path of its 28x28 image."""
    from mnist_desktop.core.imageio import write_image  # OpenCV: only when a drawing is saved

    if not 0 <= int(label) <= 9:
        raise ValueError(f"label {label} is outside 0-9")
    if prepared.shape != (28, 28):
        raise ValueError("the prepared drawing must be 28x28")
    target = (folder or drawings_dir()) / str(int(label))
    target.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{uuid.uuid4().hex[:6]}"
    # The original first: a drawing is only listed once its 28x28 image exists.
    write_image(target / f"{name}-original.png", original)
    path = target / f"{name}.png"
    with atomic_path(path) as temporary:
        write_image(temporary, prepared.astype(np.uint8))
    return path


def drawing_files(folder: Path | None = None) -> list[tuple[Path, int]]:
    root = folder or drawings_dir()
    files = []
    for label in range(10):
        sub = root / str(label)
        if sub.is_dir():
            files.extend((p, label) for p in sorted(sub.glob("*.png"))
                         if not p.name.endswith("-original.png") and not p.name.startswith("."))
    return files


def load_personal_dataset(folder: Path | None = None) -> Dataset:
    """All saved drawings as a data set (training split only; empty when there are none).

    A file that cannot be read is skipped: one damaged drawing must not hide all the others.
    """
    return load_personal_drawings(folder)[0]


def load_personal_drawings(folder: Path | None = None) -> tuple[Dataset, list[Path]]:
    """The data set of saved drawings and, row for row, the file each came from."""
    import cv2

    from mnist_desktop.core.imageio import read_image

    images, labels, paths = [], [], []
    for path, label in drawing_files(folder):
        try:
            image = read_image(path)
        except Exception:  # noqa: BLE001 - see the docstring
            continue
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if image.shape == (28, 28):
            images.append(image)
            labels.append(label)
            paths.append(path)
    x = np.array(images, np.uint8).reshape(-1, 28, 28)
    y = np.array(labels, np.uint8)
    return Dataset("My drawings", x, y, x[:0], y[:0], source=str(folder or drawings_dir())), paths


def _original_of(path: Path) -> Path:
    return path.with_name(f"{path.stem}-original.png")


def delete_drawing(path: Path) -> None:
    """Remove a saved drawing (its 28x28 image first, so it is never listed half-gone)."""
    original = _original_of(path)
    path.unlink(missing_ok=True)
    original.unlink(missing_ok=True)


def relabel_drawing(path: Path, label: int) -> Path:
    """Move a saved drawing to another label; returns its new path."""
    if not 0 <= int(label) <= 9:
        raise ValueError(f"label {label} is outside 0-9")
    target = path.parent.parent / str(int(label))
    if target == path.parent:
        return path
    target.mkdir(parents=True, exist_ok=True)
    original = _original_of(path)
    if original.exists():
        original.replace(target / original.name)
    moved = target / path.name
    path.replace(moved)
    return moved

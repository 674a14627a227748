"""Small data files the tests write themselves, in every format the app imports."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import cv2
import numpy as np


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = magic if magic is not None else (0x00000800 | array.ndim)
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def write_idx_folder(folder: Path, x_train, y_train, x_test=None, y_test=None, *, gz: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parts = {"train": (x_train, y_train)}
    if x_test is not None:
        parts["t10k"] = (x_test, y_test)
    for prefix, (x, y) in parts.items():
        for kind, array, dims in (("images", x, 3), ("labels", y, 1)):
            name = f"{prefix}-{kind}-idx{dims}-ubyte" + (".gz" if gz else "")
            data = idx_bytes(array)
            (folder / name).write_bytes(gzip.compress(data) if gz else data)
    return folder


def write_csv(path: Path, images: np.ndarray, labels: np.ndarray | None = None, *, header: bool = True) -> Path:
    lines = []
    if header:
        lines.append(",".join((["label"] if labels is not None else []) + [f"pixel{i}" for i in range(784)]))
    for i, image in enumerate(images.reshape(len(images), -1)):
        cells = ([str(int(labels[i]))] if labels is not None else []) + [str(int(v)) for v in image]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_image_folder(folder: Path, images: np.ndarray, labels: np.ndarray, *, invert: bool = False,
                       scale: int = 1) -> Path:
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        sub = folder / str(int(label))
        sub.mkdir(parents=True, exist_ok=True)
        picture = 255 - image if invert else image
        if scale != 1:
            picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(str(sub / f"{i:05d}.png"), picture)
    return folder


def small_split(mnist, per_class: int = 5, split: str = "train"):
    x, y = mnist.split(split)
    picks = np.concatenate([np.flatnonzero(y == d)[:per_class] for d in range(10)])
    return x[picks].copy(), y[picks].copy()


def similarity(a: np.ndarray, b: np.ndarray, shift: int = 1) -> float:
    """Best correlation of two 28x28 images over whole-pixel shifts up to ``shift`` (MNIST's own
    centring rounds to whole pixels, so a re-prepared digit may sit one pixel off)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64).ravel()
    return max(
        float(np.corrcoef(np.roll(np.roll(a, dy, 0), dx, 1).ravel(), b)[0, 1])
        for dy in range(-shift, shift + 1)
        for dx in range(-shift, shift + 1)
    )


def send_mouse(widget, kind: str, x: float, y: float, *, button: bool = True) -> None:
    """Deliver a synthetic mouse event straight to ``widget`` (QTest's cursor moves do not reach
    widgets on the offscreen platform). kind: "press", "move" or "release"."""
    from benchmarks.replay import send_mouse as send

    send(widget, kind, x, y, button=button)


def last_message_box(qtbot, window):
    """The newest message box the window opened (waiting for it to appear)."""
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox)), timeout=3000)
    return window.findChildren(QMessageBox)[-1]


def use_trained_on_a_slice(window, trained, mnist, *, train: int, test: int):
    """The window on the first ``train``/``test`` MNIST images, with ``trained`` as the model in use
    (and as this session's run); returns that small data set."""
    from mnist_desktop.core.dataset import Dataset

    small = Dataset("slice", mnist.x_train[:train].copy(), mnist.y_train[:train].copy(),
                    mnist.x_test[:test].copy(), mnist.y_test[:test].copy())
    window.state.set_dataset(small, None)
    window.state.set_trained(trained)
    window.state.set_model(trained.predictor, None)
    return small

"""Taught drawings can be relabelled and deleted, original and all."""

from __future__ import annotations

import numpy as np

from mnist_desktop.core.personal import (
    delete_drawing,
    drawing_files,
    load_personal_drawings,
    relabel_drawing,
    save_drawing,
)


def test_relabel_then_delete(tmp_path):
    image = np.zeros((28, 28), np.uint8)
    image[8:20, 12:16] = 255
    path = save_drawing(image, np.zeros((50, 50), np.uint8), 1, folder=tmp_path)
    moved = relabel_drawing(path, 7)
    assert drawing_files(tmp_path) == [(moved, 7)]
    assert (tmp_path / "7" / f"{moved.stem}-original.png").is_file() and not path.exists()
    dataset, paths = load_personal_drawings(tmp_path)
    assert list(dataset.y_train) == [7] and paths == [moved]
    delete_drawing(moved)
    assert drawing_files(tmp_path) == [] and not any((tmp_path / "7").iterdir())

"""The Dataset tab: filters, the pixel view, statistics, and opening good and bad data sets."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from tests.helpers import last_message_box, send_mouse, small_split, write_idx_folder


def test_gallery_filters_by_label_and_split(window, qtbot, mnist):
    tab = window.dataset_tab
    assert tab.gallery.count() == 70_000
    qtbot.mouseClick(tab.label_buttons.button(3), Qt.MouseButton.LeftButton)
    assert tab.gallery.count() == int(np.sum(mnist.y_train == 3) + np.sum(mnist.y_test == 3))
    tab.split_combo.setCurrentText("Test")
    assert tab.gallery.count() == 1010 and tab.count_label.text() == "1,010 of 70,000 images"
    shown = [tab.gallery.item_at_row(r) for r in range(tab.gallery.count())]
    assert all(i >= len(mnist.x_train) and mnist.y_test[i - len(mnist.x_train)] == 3 for i in shown)
    index = tab.gallery.gallery_model.index(0)
    assert index.data() == "3"
    qtbot.mouseClick(tab.label_buttons.button(10), Qt.MouseButton.LeftButton)
    assert tab.gallery.count() == 10_000


def test_clicking_an_image_shows_its_pixels(window, qtbot, mnist):
    tab = window.dataset_tab
    tab.split_combo.setCurrentText("Test")
    gallery = tab.gallery
    rect = gallery.visualRect(gallery.gallery_model.index(4))
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.side_tabs.currentIndex() == 1
    np.testing.assert_array_equal(tab.pixel_view.image, mnist.x_test[4])
    assert f"label <b>{mnist.y_test[4]}</b>" in tab.image_info.text() and "test image #4" in tab.image_info.text()
    # Hovering a cell reports that pixel's value.
    view = tab.pixel_view
    view.resize(560, 560)
    row, col = 14, 14
    cell = 560 / 28
    seen = []
    view.hovered.connect(lambda r, c, v: seen.append((r, c, v)))
    send_mouse(view, "move", col * cell + cell / 2, row * cell + cell / 2, button=False)
    assert seen[-1] == (row, col, int(mnist.x_test[4][row, col]))


def test_statistics_are_computed_in_the_background(window, qtbot):
    tab = window.dataset_tab
    qtbot.waitUntil(lambda: "rarest training class" in tab.stats_view.counts_caption.text(), timeout=10_000)
    assert "“5” (5,421)" in tab.stats_view.counts_caption.text()
    assert "“1” uses the least" in tab.stats_view.ink_caption.text()


def test_open_a_good_then_a_bad_data_set(window, qtbot, mnist, tmp_path):
    x_train, y_train = small_split(mnist, per_class=8)
    x_test, y_test = small_split(mnist, per_class=2, split="test")
    folder = write_idx_folder(tmp_path / "small", x_train, y_train, x_test, y_test)
    with qtbot.waitSignal(window.state.datasetChanged, timeout=10_000):
        window.open_dataset(str(folder))
    assert window.dataset_tab.gallery.count() == 100
    assert "small: 80 train / 20 test" in window.dataset_label.text()

    broken = tmp_path / "broken.csv"
    broken.write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n3,1,2\n")
    worker = window.open_dataset(str(broken))
    with qtbot.waitSignal(worker.done, timeout=10_000):
        pass
    box = last_message_box(qtbot, window)
    assert "broken.csv, line 2: 3 columns, expected 785" in box.text()
    box.close()
    # The previous data set stays loaded.
    assert window.state.dataset.name == "small" and window.dataset_tab.gallery.count() == 100
    assert "small: 80 train / 20 test" in window.dataset_label.text()


def test_fashion_class_names_on_the_buttons(window, qtbot):
    from pathlib import Path

    import pytest

    if not Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").exists():
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20_000):
        window.open_dataset("/usr/share/datasets/fashion-mnist")
    assert window.dataset_tab.label_buttons.button(9).toolTip() == "Ankle boot"
    assert window.dataset_tab.gallery.gallery_model.index(0).data() == "Ankle boot"


def test_statistics_follow_what_the_gallery_shows(window, qtbot, digits):
    """With "My drawings" chosen, the statistics are of the drawings, not of the previous data set."""
    from mnist_desktop.core.personal import drawing_files, save_drawing

    save_drawing(digits[4], digits[4], 4)
    window.state.personal_saved()
    count = len(drawing_files())
    tab = window.dataset_tab
    qtbot.waitUntil(lambda: tab.stats_status.text().startswith("MNIST: 60,000 train"), timeout=10_000)
    tab.source_combo.setCurrentIndex(1)
    assert tab.gallery.count() == count
    qtbot.waitUntil(lambda: tab.stats_status.text() == f"My drawings: {count:,} train / 0 test images", timeout=10_000)
    assert "MNIST" not in tab.stats_status.text()
    tab.source_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.stats_status.text().startswith("MNIST: 60,000 train"), timeout=10_000)

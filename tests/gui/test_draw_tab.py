"""The Draw tab, driven by synthetic mouse strokes on the real canvas."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from benchmarks.handwriting import drawing_set, make_drawing, number_drawing
from benchmarks.replay import draw, draw_strokes


@pytest.fixture
def tab(window, qtbot):
    window.show_tab("Draw")
    draw_tab = window.draw_tab
    qtbot.waitUntil(lambda: draw_tab.canvas.width() > 200, timeout=5000)
    draw_tab.canvas.clear()
    return draw_tab


def label(tab) -> str:
    return tab.findChild(QWidget, "predictionLabel").text()


def test_every_digit_is_read_from_mouse_strokes(tab):
    drawings = drawing_set(60, seed=21)
    wrong = []
    for drawing in drawings:
        tab.canvas.clear()
        draw(tab.canvas, drawing)
        # Read on release, synchronously: no waiting.
        if not label(tab).startswith(str(drawing.digit)):
            wrong.append((drawing.digit, drawing.style, label(tab)))
    assert len(wrong) <= 1, wrong
    assert tab.last_latency_ms < 100


def test_probabilities_and_stages_follow_the_reading(tab):
    draw(tab.canvas, make_drawing(3, np.random.default_rng(4)))
    assert label(tab).startswith("3")
    bars = tab.findChild(QWidget, "probabilityBars")
    assert int(np.argmax(bars.probabilities)) == 3 and abs(float(bars.probabilities.sum()) - 1) < 1e-3
    final = tab.findChild(QWidget, "modelInputView").image
    assert final.shape == (28, 28) and final.max() == 255
    assert tab.crop_picture.pixmap() is not None and not tab.crop_picture.pixmap().isNull()


def test_several_digits_are_read_left_to_right(tab):
    rng = np.random.default_rng(7)
    size = tab.canvas.width()
    for number in ("2026", "314", "90"):
        tab.canvas.clear()
        draw(tab.canvas, number_drawing(number, rng, canvas=(size, size), pen=size / 40), design_size=size)
        assert label(tab).startswith(number)
        assert tab.digits_group.isVisibleTo(tab) and len(tab.page.readings) == len(number)
    # Each digit's caption sits right under its picture, not at the bottom of the row's height
    # (which is the stages' height: most visible on a small window).
    tab.window().resize(1024, 640)
    QApplication.processEvents()
    for box in [tab.digits_row.itemAt(k).widget() for k in range(tab.digits_row.count())]:
        if box is None:
            continue  # the stretch
        picture, caption = box.findChildren(QLabel)[:2]
        # Neither is stretched (a stretched label centres its content: a gap between the two).
        assert picture.height() == picture.sizeHint().height() and caption.height() == caption.sizeHint().height()
        assert 0 <= caption.y() - picture.geometry().bottom() <= 12, (picture.geometry(), caption.geometry())


def test_clear_shows_no_digit(tab, qtbot):
    draw(tab.canvas, make_drawing(8, np.random.default_rng(1)))
    assert label(tab)[0].isdigit()
    qtbot.mouseClick(tab.findChild(QWidget, "clearButton"), Qt.MouseButton.LeftButton)
    assert label(tab) == "Draw a digit" and not any(ch.isdigit() for ch in label(tab))
    assert not tab.canvas.ink().any()


def test_undo_takes_back_the_last_stroke(tab):
    side = tab.canvas.width()
    draw_strokes(tab.canvas, [np.array([[0.5, 0.15], [0.5, 0.85]]) * side])  # a one
    tab.canvas.pen_width = side / 25
    assert label(tab).startswith("1")
    draw_strokes(tab.canvas, [np.array([[0.2, 0.15], [0.5, 0.15]]) * side])  # a bar on top: a seven
    assert label(tab).startswith("7") and len(tab.canvas.strokes) == 2
    tab.canvas.undo()
    assert label(tab).startswith("1") and len(tab.canvas.strokes) == 1
    tab.canvas.undo()
    assert label(tab) == "Draw a digit"


class Hesitant:
    """A model that cannot make up its mind between 3 and 5."""

    name = "hesitant"
    metadata = {}

    def predict(self, images):
        out = np.full((len(images), 10), 0.03, np.float32)
        out[:, 3], out[:, 5] = 0.45, 0.31
        return out

    def describe(self):
        return "hesitant"


def test_low_confidence_says_not_sure(tab, window):
    real = window.state.predictor
    window.state.set_model(Hesitant(), None)
    try:
        draw(tab.canvas, make_drawing(3, np.random.default_rng(2)))
        assert label(tab).startswith("3? Not sure")
        assert "could also be a 5" in tab.hint_label.text()
    finally:
        window.state.set_model(real, None)


def test_a_new_model_rereads_the_drawing_at_once(tab, window):
    real = window.state.predictor
    draw(tab.canvas, make_drawing(4, np.random.default_rng(3)))
    assert label(tab).startswith("4")
    window.state.set_model(Hesitant(), None)
    assert label(tab).startswith("3?")
    window.state.set_model(real, None)
    assert label(tab).startswith("4")


def test_saliency_overlay_covers_the_ink(tab):
    tab.saliency_check.setChecked(True)
    draw(tab.canvas, make_drawing(7, np.random.default_rng(5)))
    heat = tab.canvas.overlay
    ink = tab.canvas.ink()
    assert heat is not None and heat.shape == ink.shape and heat.max() > 0.5
    assert heat[ink > 0].mean() > 5 * heat[ink == 0].mean()
    tab.saliency_check.setChecked(False)


def test_light_canvas_keeps_mnist_polarity(tab):
    tab.theme_check.setChecked(True)
    draw(tab.canvas, make_drawing(6, np.random.default_rng(6)))
    ink = tab.canvas.ink()
    assert ink.max() == 255 and np.median(ink) == 0, "ink is stored white on black whatever is shown"
    assert label(tab).startswith("6")
    tab.theme_check.setChecked(False)


def test_classify_an_image_file_and_a_dropped_one(tab, tmp_path, digits):
    photo = 255 - cv2.resize(digits[9], (200, 200), interpolation=cv2.INTER_CUBIC)  # dark ink on white
    path = tmp_path / "nine.png"
    cv2.imwrite(str(path), photo)
    tab.classify_file(str(path))
    assert label(tab).startswith("9") and "nine.png" in tab.hint_label.text()
    tab.canvas.clear()
    tab.canvas.fileDropped.emit(str(path))
    assert label(tab).startswith("9")


def test_teaching_saves_the_drawing_and_rereads_it(tab, window, qtbot):
    from mnist_desktop.core.personal import drawing_files, load_personal_dataset

    before = len(drawing_files())
    draw(tab.canvas, make_drawing(2, np.random.default_rng(8)))
    path = tab.teach(2)
    assert path is not None and path.parent.name == "2" and path.exists()
    assert path.with_name(path.stem + "-original.png").exists()
    assert len(drawing_files()) == before + 1
    assert f"You have saved {before + 1} drawing" in tab.personal_label.text()
    saved = load_personal_dataset()
    expected = int(np.sum(window.state.predictor.predict(saved.x_train).argmax(axis=1) == saved.y_train))
    right, total = tab.reread_personal()
    assert (right, total) == (expected, before + 1)
    assert f"reads {right} of your {total} saved drawings right" in tab.personal_label.text()
    tab.browse_button.click()
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Dataset"
    assert window.dataset_tab.gallery.count() == total and window.dataset_tab.source_combo.currentIndex() == 1


def test_a_reread_score_goes_when_the_model_changes(tab, window):
    """"classic reads 0 of your 1 saved drawings…" was the old model's score: it must not stay."""
    from mnist_desktop.core.personal import drawing_files

    draw(tab.canvas, make_drawing(5, np.random.default_rng(9)))
    tab.teach(5)
    tab.reread_personal()
    assert "saved drawings right" in tab.personal_label.text()
    real = window.state.predictor
    try:
        window.state.set_model(Hesitant(), None)
        assert "saved drawings right" not in tab.personal_label.text()
        count = len(drawing_files())  # other tests in the session may have saved drawings too
        assert tab.personal_label.text() == f"You have saved {count} drawing{'s' if count != 1 else ''}."
    finally:
        window.state.set_model(real, None)


def test_a_scribble_on_the_canvas_is_not_a_digit(tab):
    # Was: a random scribble read "8 · 99.9% sure".
    from benchmarks.handwriting import Drawing

    rng = np.random.default_rng(17)
    for _ in range(3):
        tab.canvas.clear()
        points = np.cumsum(rng.normal(0, 0.18, (12, 2)), axis=0)
        points = (points - points.min(0)) / np.ptp(points, axis=0).max() * 0.6 + 0.2
        path = np.column_stack([np.interp(np.linspace(0, 11, 240), np.arange(12), points[:, k]) for k in range(2)])
        height = 280 * tab.canvas.height() / tab.canvas.width()  # `draw` works in a 280-wide design
        draw(tab.canvas, Drawing(-1, [path * min(280, height)], 12.0, 0))
        assert label(tab) == "Not a digit", label(tab)
    tab.canvas.clear()
    draw(tab.canvas, make_drawing(3, np.random.default_rng(18)))
    assert label(tab).startswith("3") and "sure" in label(tab)

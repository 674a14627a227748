"""What makes it feel finished: plain axis numbers, a window that fits 1024x640, readable dark mode,
everything by keyboard, drops, Open Recent, settings that survive a restart."""

from __future__ import annotations

import warnings
from pathlib import Path

import cv2
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QMenu,
    QWidget,
)

from benchmarks.handwriting import make_drawing
from benchmarks.replay import draw
from mnist_desktop.gui import theme
from tests.helpers import use_trained_on_a_slice
from mnist_desktop.gui.main_window import MainWindow
from mnist_desktop.paths import models_dir


@pytest.fixture
def light_again():
    yield
    theme.choose("system")


def _charts(window) -> list[pg.PlotWidget]:
    return window.findChildren(pg.PlotWidget)


@pytest.mark.parametrize("batches", [1, 600])
def test_no_axis_shows_an_si_prefix(window, qtbot, batches):
    # The training curves' x is in epochs: batch k of 600 is at k / 600; losses and accuracies are
    # small numbers. pyqtgraph would label such axes "(x0.001)" or "(x1e+03)".
    # The statistics charts are made when the statistics arrive.
    qtbot.waitUntil(lambda: window.dataset_tab.stats_view.counts_plot is not None, timeout=20_000)
    # So are the pages made when first shown.
    from mnist_desktop.gui.widgets.lazy_page import LazyPage

    for page in window.findChildren(LazyPage):
        page.ensure()
    x = np.arange(1, batches + 1) / 600
    for chart in _charts(window):
        chart.plot(x, 0.9 + 0.001 * np.sin(np.arange(batches)))
        chart.getPlotItem().enableAutoRange()
    window.show_tab("Training")
    QApplication.processEvents()
    assert len(_charts(window)) >= 8
    for chart in _charts(window):
        for side in ("left", "bottom"):
            axis = chart.getPlotItem().getAxis(side)
            assert axis.autoSIPrefixScale == 1.0, (chart.objectName(), side, axis.labelString())
            assert "(x" not in axis.labelString() and "×" not in axis.labelString()


def _clipped(root: QWidget) -> list[str]:
    """Visible widgets that stick out of their parent (scroll area contents and viewports may)."""
    problems = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        if not widget.isVisible() or parent is None or widget.isWindow():
            continue
        if any(isinstance(a, QAbstractScrollArea) for a in _ancestors(widget, stop=root)):
            continue  # inside a scroll area: scrolling, not clipping, is the point
        if not parent.rect().contains(widget.geometry()):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} {widget.geometry().getRect()} "
                            f"in {type(parent).__name__} {parent.objectName()!r} {parent.rect().getRect()}")
    return problems


def assert_every_tab_unclipped(window, qtbot, width: int, height: int) -> None:
    """Resize the window and check, tab by tab, that it kept the size and clips no widget."""
    window.resize(width, height)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: window.tabs.currentWidget().isVisible(), timeout=2000)
        QApplication.processEvents()
        assert (window.width(), window.height()) == (width, height), window.minimumSizeHint()
        problems = _clipped(window)
        assert not problems, f"{window.tabs.tabText(index)}: " + "\n".join(problems[:10])


def _ancestors(widget: QWidget, stop: QWidget):
    parent = widget.parentWidget()
    while parent is not None and parent is not stop:
        yield parent
        parent = parent.parentWidget()


def test_the_window_is_usable_at_1024x640(window, qtbot):
    # The tallest states: the camera's ink mask shown, several digits read on the Draw tab.
    window.camera_tab.mask_check.setChecked(True)
    assert_every_tab_unclipped(window, qtbot, 1024, 640)
    # The training buttons are on screen without scrolling.
    window.show_tab("Training")
    for name in ("trainButton", "stopButton"):
        button = window.findChild(QWidget, name)
        top_left = button.mapTo(window, QPoint(0, 0))
        assert window.rect().contains(top_left) and window.rect().contains(top_left + QPoint(button.width() - 1,
                                                                                              button.height() - 1))


def test_dark_palette_keeps_every_label_readable(window, qtbot, light_again):
    qtbot.waitUntil(lambda: window.dataset_tab.stats_view.counts_plot is not None, timeout=20_000)
    theme.choose("dark")
    assert theme.is_dark()
    checked = 0
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        for label in window.findChildren(QLabel):
            if not label.isVisible() or not label.isEnabled() or not label.text().strip():
                continue
            # A style sheet pins the palette the label was polished with: no text label has one.
            assert not label.styleSheet(), (label.objectName(), label.styleSheet())
            palette = label.palette()
            ratio = theme.contrast(palette.color(label.foregroundRole()), palette.color(QPalette.ColorRole.Window))
            assert ratio >= 4.5, (label.objectName(), label.text()[:40], round(ratio, 2))
            checked += 1
    assert checked > 20
    # The charts follow: axis text on the chart's own background.
    for chart in _charts(window):
        axis = chart.getPlotItem().getAxis("left")
        assert theme.contrast(axis.textPen().color(), chart.backgroundBrush().color()) >= 4.5
    # Back to light: the charts follow that too.
    theme.choose("light")
    chart = _charts(window)[0]
    assert theme.luminance(chart.backgroundBrush().color()) > 0.8


def test_keyboard_only_opens_a_confusion_matrix_cell(window, qtbot, tiny_run, mnist):
    trained, _ = tiny_run
    use_trained_on_a_slice(window, trained, mnist, train=100, test=300)
    tab = window.evaluation_tab
    window.show_tab("Evaluation")
    tab.pages.setCurrentIndex(1)
    qtbot.waitUntil(lambda: tab.confusion.isVisible(), timeout=2000)
    with qtbot.waitSignal(tab.evaluate().done, timeout=20_000):
        pass
    # The per-class table starts in class order.
    assert [tab.class_table.item(r, 0).text() for r in range(10)] == [str(d) for d in range(10)]
    view = tab.confusion
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right):
        qtbot.keyClick(view, key)
    with qtbot.waitSignal(view.cellClicked, timeout=2000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [2, 1]
    np.testing.assert_array_equal(tab.cell_gallery.gallery_model.order, tab.evaluation.cell(2, 1))
    assert "of 2 read as 1" in tab.cell_label.text() or "2 read as 1" in tab.cell_label.text()


def test_keys_0_to_9_teach_the_drawing(window, qtbot):
    from mnist_desktop.core.personal import drawing_files

    window.show_tab("Draw")
    tab = window.draw_tab
    qtbot.waitUntil(lambda: tab.canvas.width() > 200, timeout=5000)
    tab.canvas.clear()
    before = len(drawing_files())
    draw(tab.canvas, make_drawing(4, np.random.default_rng(11)))
    tab.canvas.setFocus()
    qtbot.keyClick(tab.canvas, Qt.Key.Key_4)
    assert len(drawing_files()) == before + 1
    assert "Saved as a 4" in tab.hint_label.text()
    # The buttons say what they do to a screen reader.
    assert tab.teach_buttons[4].accessibleName() == "Teach: 4"


@pytest.mark.slow
def test_keyboard_only_starts_and_stops_training(window, qtbot):
    window.show_tab("Training")
    tab = window.training_tab
    tab.size_slider.setValue(tab.size_slider.minimum())
    tab.epochs_spin.setValue(1)
    # Reach the Train button with Tab alone, from the first field.
    tab.arch_combo.setFocus()
    qtbot.waitUntil(tab.arch_combo.hasFocus, timeout=2000)
    for _ in range(40):
        if tab.train_button.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert tab.train_button.hasFocus()
    qtbot.keyClick(tab.train_button, Qt.Key.Key_Space)
    assert tab.task.busy
    # Focus moves to Stop, so the same key stops it.
    assert tab.stop_button.hasFocus()
    with qtbot.waitSignal(tab.task.finished, timeout=120_000):
        qtbot.keyClick(tab.stop_button, Qt.Key.Key_Space)
    assert not tab.task.busy


def _drop(window, path: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(point, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


def test_drop_an_image_or_a_model_on_the_window(window, qtbot, tmp_path, digits):
    window.show_tab("Dataset")
    image = tmp_path / "seven.png"
    cv2.imwrite(str(image), 255 - cv2.resize(digits[7], (112, 112)))
    with qtbot.waitSignal(window.draw_tab.readingShown, timeout=5000):
        _drop(window, image)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Draw"
    assert window.draw_tab.prediction_label.text().startswith("7")

    model = models_dir() / "mnist_cnn.tflite"
    with qtbot.waitSignal(window.state.modelChanged, timeout=20_000):
        _drop(window, model)
    assert window.state.model_path == model


def test_open_recent(window, qtbot):
    model = models_dir() / "mnist_cnn.tflite"
    with qtbot.waitSignal(window.state.modelChanged, timeout=20_000):
        window.open_model(str(model))
    actions = [a for a in window.recent_menu.actions() if a.toolTip() == str(model.absolute())]
    assert actions and "mnist_cnn.tflite" in actions[0].text()
    window.state.set_model(window.state.predictor, None)
    with qtbot.waitSignal(window.state.modelChanged, timeout=20_000):
        actions[0].trigger()
    assert window.state.model_path == model.absolute()
    # The file dialogs start where the last file came from.
    from mnist_desktop.gui import recent

    assert recent.start_folder() == str(model.absolute().parent)


def test_settings_survive_a_restart(qtbot, light_again):
    first = MainWindow(restore=True)
    qtbot.addWidget(first)
    first.training_tab.epochs_spin.setValue(7)
    first.training_tab.augment_check.setChecked(False)
    first.training_tab.lr_combo.setCurrentText("0.0025")
    first.camera_tab.threshold_slider.setValue(42)
    first.draw_tab.pen_slider.setValue(31)
    splitter = first.dataset_tab.findChild(QWidget, "datasetSplitter")
    first.resize(1200, 800)
    first.show()
    splitter.setSizes([300, 880])
    sizes = splitter.sizes()
    first.theme_actions["dark"].trigger()
    first.close()
    theme.manager().set_choice("system")  # as a fresh process would start

    second = MainWindow(restore=True)
    qtbot.addWidget(second)
    second.resize(1200, 800)
    second.show()
    QApplication.processEvents()
    assert second.training_tab.epochs_spin.value() == 7
    assert not second.training_tab.augment_check.isChecked()
    assert second.training_tab.lr_combo.currentText() == "0.0025"
    assert second.camera_tab.threshold_slider.value() == 42
    assert second.draw_tab.pen_slider.value() == 31 and second.draw_tab.canvas.pen_width == 31
    assert second.dataset_tab.findChild(QWidget, "datasetSplitter").sizes() == sizes
    assert theme.is_dark() and second.theme_actions["dark"].isChecked()
    second.close()


def test_menus_offer_the_usual_actions(window):
    titles = {}
    for action in window.menuBar().actions():
        menu: QMenu = action.menu()
        titles[action.text().replace("&", "")] = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert {"File", "Edit", "View", "Help"} <= set(titles)
    assert "Undo stroke" in titles["Edit"] and "Copy reading" in titles["Edit"]
    assert "About Qt" in titles["Help"] and "User guide" in titles["Help"] and "Report a problem…" in titles["Help"]
    assert "Open recent" in titles["File"]
    assert not window.windowIcon().isNull()
    # Every chart offers pyqtgraph's right-click Export (PNG, SVG, CSV).
    for chart in _charts(window):
        assert chart.getPlotItem().menuEnabled()
        assert any(action.text().startswith("Export") for action in chart.scene().contextMenu)


def test_report_a_problem_copies_versions_and_the_last_error(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from mnist_desktop.gui import workers

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    workers.show_error(window, "Cannot open the model", ValueError("the file ends early"))
    text = window.report_problem()
    assert "PySide6" in text and "MNIST Desktop" in text and "the file ends early" in text
    assert QApplication.clipboard().text() == text


def test_edit_menu_copies_the_reading(window, qtbot):
    window.show_tab("Draw")
    tab = window.draw_tab
    qtbot.waitUntil(lambda: tab.canvas.width() > 200, timeout=5000)
    tab.canvas.clear()
    draw(tab.canvas, make_drawing(2, np.random.default_rng(3)))
    window.copy_reading_action.trigger()
    assert QApplication.clipboard().text() == tab.prediction_label.text() and QApplication.clipboard().text()[0] == "2"
    window.undo_action.trigger()
    assert tab.canvas.is_empty() or len(tab.canvas.strokes) < 2


def test_an_empty_confusion_matrix_paints_without_warnings(qtbot):
    from mnist_desktop.gui.widgets.confusion import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view.set_normalised(True)
        assert not view.grab().isNull()
        view.set_normalised(False)
        assert not view.grab().isNull()


def test_the_status_bar_names_the_model_once(window):
    bar = window.statusBar()
    name = window.state.predictor.describe()
    shown = [bar.currentMessage()] + [label.text() for label in bar.findChildren(QLabel) if label.isVisible()]
    assert sum(name in text for text in shown) == 1, shown


def test_my_drawings_can_be_relabelled_and_deleted(window, qtbot):
    from mnist_desktop.core.personal import drawing_files

    for path, _ in drawing_files():  # start from none
        path.unlink()
    tab = window.dataset_tab
    window.show_tab("Dataset")
    tab.source_combo.setCurrentIndex(1)
    assert tab.gallery.count() == 0 and "Draw tab" in tab.gallery.placeholder
    window.show_tab("Draw")
    draw_tab = window.draw_tab
    qtbot.waitUntil(lambda: draw_tab.canvas.width() > 200, timeout=5000)
    for digit in (3, 5):
        draw_tab.canvas.clear()
        draw(draw_tab.canvas, make_drawing(digit, np.random.default_rng(digit)))
        draw_tab.teach(digit)
    window.show_tab("Dataset")
    assert tab.gallery.count() == 2
    first = tab.gallery.item_at_row(0)
    assert tab.relabel_drawing(first, 8)
    assert sorted(label for _, label in drawing_files()) == [5, 8]
    tab.gallery.setFocus()
    tab.gallery.select_row(0)
    qtbot.keyClick(tab.gallery, Qt.Key.Key_Delete)
    assert len(drawing_files()) == 1 and tab.gallery.count() == 1
    assert "1 drawing" in draw_tab.personal_label.text()


def test_teach_says_why_it_is_unavailable_for_several_digits(window, qtbot):
    from benchmarks.handwriting import number_drawing

    window.show_tab("Draw")
    tab = window.draw_tab
    qtbot.waitUntil(lambda: tab.canvas.width() > 200, timeout=5000)
    tab.canvas.clear()
    side = tab.canvas.width()
    draw(tab.canvas, number_drawing("42", np.random.default_rng(5), canvas=(side, side), pen=side / 40),
         design_size=side)
    assert not tab.teach_buttons[4].isEnabled()
    assert "one digit at a time" in tab.teach_label.text()


def test_export_report_creates_a_new_folder(window, qtbot, tiny_run, mnist, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    trained, _ = tiny_run
    use_trained_on_a_slice(window, trained, mnist, train=50, test=200)
    tab = window.evaluation_tab
    with qtbot.waitSignal(tab.evaluate().done, timeout=20_000):
        pass
    target = tmp_path / "new" / "report"  # neither folder exists yet: typed into the dialog
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    tab.export_report()
    qtbot.waitUntil(lambda: "Report written" in tab.status.text(), timeout=30_000)
    assert (target / "report.html").is_file()


def test_layouts_do_not_jump(window, qtbot, mnist):
    from benchmarks.handwriting import number_drawing
    from mnist_desktop.core.dataset import Dataset

    window.resize(1280, 800)
    # Dataset: a data set with a long note does not move the splitter.
    window.show_tab("Dataset")
    splitter = window.dataset_tab.findChild(QWidget, "datasetSplitter")
    QApplication.processEvents()
    before = splitter.sizes()
    noted = Dataset("with a note", mnist.x_train[:200].copy(), mnist.y_train[:200].copy(), mnist.x_test[:50].copy(),
                    mnist.y_test[:50].copy(), notes="skipped 3 rows with a missing label; " * 12)
    with qtbot.waitSignal(window.state.datasetChanged, timeout=5000):
        window.state.set_dataset(noted, None)
    qtbot.waitUntil(lambda: "with a note" in window.dataset_tab.stats_status.text(), timeout=20_000)
    QApplication.processEvents()
    qtbot.wait(50)
    assert splitter.sizes() == before and window.width() == 1280
    # However long the note, the caption wraps: it cannot ask for more width than the panel has.
    assert window.dataset_tab.stats_status.minimumSizeHint().width() < window.dataset_tab.side_tabs.width()
    # Draw: the probability rows keep their place when several digits are read.
    window.show_tab("Draw")
    tab = window.draw_tab
    qtbot.waitUntil(lambda: tab.canvas.width() > 200, timeout=5000)
    tab.canvas.clear()
    draw(tab.canvas, make_drawing(3, np.random.default_rng(2)))
    QApplication.processEvents()
    single = tab.bars.geometry()
    tab.canvas.clear()
    side = tab.canvas.width()
    draw(tab.canvas, number_drawing("314", np.random.default_rng(7), canvas=(side, side), pen=side / 40),
         design_size=side)
    QApplication.processEvents()
    assert len(tab.page.readings) == 3 and tab.bars.geometry() == single
    # Camera: the side panel has one width whatever the source says.
    window.show_tab("Camera")
    panel = window.camera_tab.findChild(QWidget, "cameraSideScroll")
    width = panel.width()
    window.camera_tab.reading_label.setText("1234567890 1234567890")
    window.camera_tab.frame_label.setText("a long message about this frame and what was found in it " * 3)
    QApplication.processEvents()
    assert panel.width() == width

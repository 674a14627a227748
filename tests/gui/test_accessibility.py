"""Accessibility, control by control: every action reachable from the keyboard, new readings
announced to screen readers, a focus ring that cannot be mistaken for the default button."""

from __future__ import annotations

import gc
import re
from collections import Counter

import numpy as np
import pyqtgraph as pg
import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAccessible, QColor, QContextMenuEvent, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QSlider,
    QTabBar,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)

from benchmarks.handwriting import make_drawing
from benchmarks.replay import draw
from benchmarks.synthetic_frames import make_frame
from mnist_desktop.gui import theme
from mnist_desktop.gui.widgets.camera_view import CameraView
from mnist_desktop.gui.widgets.confusion import ConfusionMatrixView
from mnist_desktop.gui.widgets.draw_canvas import DrawCanvas
from mnist_desktop.gui.widgets.tables import make_table, sort_from_the_keyboard
from tests.gui.test_camera_tab import ScriptedSource


@pytest.fixture
def announcements(monkeypatch) -> list[str]:
    """What a screen reader would be told: a screen reader is running (QAccessible is active), and
    every announcement event the app sends is kept instead of going to the platform's bridge."""
    heard: list[str] = []

    def update(event) -> None:
        if event.type() == QAccessible.Event.Announcement:
            heard.append(event.message())

    monkeypatch.setattr(QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(update))
    return heard


def test_a_new_drawing_reading_is_announced_once(window, qtbot, announcements):
    window.show_tab("Draw")
    tab = window.draw_tab
    qtbot.waitUntil(lambda: tab.canvas.width() > 200, timeout=5000)
    tab.canvas.clear()
    with qtbot.waitSignal(tab.readingShown, timeout=5000):
        draw(tab.canvas, make_drawing(7, np.random.default_rng(3)))
    first = tab.prediction_label.text()
    assert first[:1].isdigit()
    assert announcements == [f"Read: {first}"]
    # Whoever moves to the reading later finds it there too.
    assert tab.prediction_label.accessibleDescription() == f"Read: {first}"
    # The same reading again (the model reloaded, the live timer fired twice): not said again.
    tab.read_now()
    assert announcements == [f"Read: {first}"]
    # Another drawing with another reading is.
    tab.canvas.clear()
    with qtbot.waitSignal(tab.readingShown, timeout=5000):
        draw(tab.canvas, make_drawing(3, np.random.default_rng(4)))
    second = tab.prediction_label.text()
    assert second != first
    assert announcements == [f"Read: {first}", f"Read: {second}"]


def test_a_new_camera_reading_is_announced_once(window, qtbot, announcements, mnist):
    picks = [int(np.flatnonzero(mnist.y_test == d)[2]) for d in (2, 0, 2, 6)]
    frames = [make_frame(mnist.x_test[picks], mnist.y_test[picks], np.random.default_rng(k), hard=False).image
              for k in range(3)]
    window.show_tab("Camera")
    tab = window.camera_tab
    worker = tab.start(ScriptedSource(frames))
    qtbot.waitUntil(lambda: tab.reading_label.text() == "2026", timeout=10_000)
    # Many frames read the same number: it is announced once, when it became steady.
    qtbot.waitUntil(lambda: tab.packet is not None and tab.packet.index >= 8, timeout=10_000)
    tab.stop()
    with qtbot.waitSignal(worker.done, timeout=20_000):
        pass
    assert announcements == ["Camera reads 2026"]
    assert tab.reading_label.accessibleDescription() == "Camera reads 2026"


# ---------------------------------------------------------------------------- keyboard only
INTERACTIVE = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit, QAbstractItemView, QTabBar,
               DrawCanvas, ConfusionMatrixView, pg.PlotWidget)


def _describe(widget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__} {widget.objectName() or text!r}"


def _walk(qtbot, key) -> list:
    """Press ``key`` (Tab or Shift+Tab) from the focused widget until the focus comes back round;
    returns the widgets that had it, in order. Fails if a widget keeps the focus (a Tab trap)."""
    start = QApplication.focusWidget()
    reached = [start]
    for _ in range(200):
        here = QApplication.focusWidget()
        qtbot.keyClick(here, key)
        now = QApplication.focusWidget()
        assert now is not here, f"{_describe(here)} keeps the focus: {key.name} cannot leave it"
        if now is start:
            return reached
        reached.append(now)
    raise AssertionError(f"{key.name} never came back round to {_describe(start)}")


def _arrow_through_groups(qtbot, reached: list) -> list:
    """Exclusive button groups are one Tab stop (Qt's radio-button rule); the arrow keys move
    through their buttons."""
    more = []
    for button in [w for w in reached if isinstance(w, QAbstractButton) and w.group() is not None]:
        was_checked = button.group().checkedButton()
        button.setFocus()
        for key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            for _ in range(len(button.group().buttons())):
                qtbot.keyClick(QApplication.focusWidget(), key)
                more.append(QApplication.focusWidget())
        if was_checked is not None:
            was_checked.click()  # leave the group as it was found
    return more


def _covered(control, reached: set) -> bool:
    """Focused itself, or part of a control that was (a spin box's or an editable combo's line edit)."""
    owner = control.parentWidget()
    return control in reached or (isinstance(owner, (QAbstractSpinBox, QComboBox)) and owner in reached)


# Pointer-only by nature, with a keyboard way to what they do: drawing on the canvas (Clear, Undo,
# the Teach keys and Classify image are keys and buttons); marking an area of the camera view ("Read
# the whole view" undoes it). A table's header sorts on a click; the tables are read with the arrows.
def _pointer_only(widget) -> bool:
    return isinstance(widget, (CameraView, QHeaderView))


def _teach_a_drawn_four(window, qtbot):
    """Draw a 4 on the Draw tab and teach it with its key; returns the tab."""
    window.show_tab("Draw")
    draw_tab = window.draw_tab
    qtbot.waitUntil(lambda: draw_tab.canvas.width() > 200, timeout=5000)
    with qtbot.waitSignal(draw_tab.readingShown, timeout=5000):
        draw(draw_tab.canvas, make_drawing(4, np.random.default_rng(11)))
    draw_tab.canvas.setFocus()
    qtbot.keyClick(draw_tab.canvas, Qt.Key.Key_4)
    return draw_tab


def test_every_control_is_reachable_with_the_keyboard(window, qtbot, mnist):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    # The states that enable the most controls: a drawing read (Teach), one drawing kept (Re-read,
    # Browse), the camera reading (Stop, Freeze, Save snapshot).
    draw_tab = _teach_a_drawn_four(window, qtbot)
    picks = [int(np.flatnonzero(mnist.y_test == d)[2]) for d in (2, 0)]
    frames = [make_frame(mnist.x_test[picks], mnist.y_test[picks], np.random.default_rng(1), hard=False).image]
    camera = window.camera_tab
    worker = camera.start(ScriptedSource(frames))
    qtbot.waitUntil(lambda: camera.packet is not None, timeout=10_000)

    main_bar = window.tabs.tabBar()
    window.tabs.setCurrentIndex(0)
    checked: dict[str, list[str]] = {}
    for index in range(window.tabs.count()):
        title = window.tabs.tabText(index)
        page = window.tabs.currentWidget()
        inner_tabs = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        views = [(None, 0)] + [(inner, k) for inner in inner_tabs for k in range(1, inner.count())]
        for inner, k in views:
            if inner is not None:
                inner.setCurrentIndex(k)
            main_bar.setFocus()
            qtbot.waitUntil(main_bar.hasFocus, timeout=2000)
            forward = _walk(qtbot, Qt.Key.Key_Tab)
            main_bar.setFocus()
            backward = _walk(qtbot, Qt.Key.Key_Backtab)
            assert set(backward) == set(forward), "Shift+Tab does not visit what Tab does"
            reached = set(forward) | set(_arrow_through_groups(qtbot, forward))
            for inner_tab in inner_tabs:
                assert inner_tab.tabBar() in reached, f"{title}: the tabs of {inner_tab.objectName()!r}"
            controls = [w for w in page.findChildren(QWidget) if isinstance(w, INTERACTIVE)
                        and w.isVisible() and w.isEnabled() and not _pointer_only(w)]
            missing = [_describe(w) for w in controls if not _covered(w, reached)]
            where = title + (f" / {inner.tabText(k)}" if inner is not None else "")
            assert not missing, f"{where}: not reachable with Tab: {missing}"
            checked[where] = [_describe(w) for w in controls]
        # Ctrl+Tab from the tabs moves on to the next tab (Ctrl+PgDown from inside a tab: below).
        main_bar.setFocus()
        qtbot.keyClick(main_bar, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == (index + 1) % window.tabs.count()
    assert window.tabs.currentIndex() == 0
    # From a control inside a tab: Ctrl+PgDown / Ctrl+PgUp, Ctrl+Shift+Tab, and the View menu's Ctrl+1..5.
    window.show_tab("Draw")
    draw_tab.clear_button.setFocus()
    qtbot.waitUntil(draw_tab.clear_button.hasFocus, timeout=2000)
    control = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(draw_tab.clear_button, Qt.Key.Key_PageDown, control)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Camera"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp, control)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Draw"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, control | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Evaluation"
    for number in (1, 2, 3, 4, 5):
        qtbot.keyClick(QApplication.focusWidget(), getattr(Qt.Key, f"Key_{number}"), control)
        assert window.tabs.currentIndex() == number - 1
    camera.stop()
    with qtbot.waitSignal(worker.done, timeout=20_000):
        pass
    assert sum(len(names) for names in checked.values()) > 80, checked


def test_a_table_sorts_from_its_context_menu(window, qtbot):
    # The Evaluation tab's per-class table offers it (the Menu key opens a widget's actions menu).
    class_table = window.evaluation_tab.class_table
    assert class_table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert [a.text() for a in class_table.actions()][:3] == ["Sort by class", "Sort by precision", "Sort by recall"]
    table = make_table(["digit", "score"])
    qtbot.addWidget(table)
    for digit, score in ((0, "0.3"), (1, "0.9"), (2, "0.1")):
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(str(digit)))
        table.setItem(row, 1, QTableWidgetItem(score))
    sort_from_the_keyboard(table)
    by_score = next(a for a in table.actions() if a.text() == "Sort by score")

    def digits() -> list[str]:
        return [table.item(r, 0).text() for r in range(3)]

    by_score.trigger()
    assert digits() == ["2", "0", "1"]
    by_score.trigger()  # again: the other way round
    assert digits() == ["1", "0", "2"]
    next(a for a in table.actions() if a.text() == "Sort by digit").trigger()
    assert digits() == ["0", "1", "2"]


def test_the_menu_key_on_a_chart_opens_its_export(window, qtbot):
    window.show_tab("Training")
    chart = window.training_tab.findChild(QWidget, "lossPlot")
    chart.setFocus()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(10, 10), chart.mapToGlobal(QPoint(10, 10)))
    QApplication.sendEvent(chart, event)
    dialog = chart.scene().exportDialog
    try:
        assert dialog is not None and dialog.isVisible()
        # This chart is the one chosen for export.
        assert dialog.ui.itemTree.currentItem().gitem is chart.getPlotItem()
    finally:
        if dialog is not None:
            dialog.close()
            # pyqtgraph's dialog has no parent and outlives the chart's scene unless deleted with it.
            chart.scene().exportDialog = None
            shiboken6.delete(dialog)
        # Its settings fields throttle their updates through pyqtgraph's SignalProxy (a one-off 0.3 s timer).
        proxies = [p for p in gc.get_objects() if isinstance(p, pg.SignalProxy)]
        qtbot.waitUntil(lambda: not any(p.timer.isActive() for p in proxies), timeout=2000)


def test_every_menu_entry_has_its_own_access_key(window):
    """Alt+letter opens a menu and a letter picks an entry: a letter used twice in one menu only
    moves between the two, and an entry without one is reachable with the arrows alone."""

    def key(text: str) -> str | None:
        found = re.search(r"&([^&])", text)
        return found.group(1).lower() if found else None

    menus = [window.menuBar()] + [m for m in window.menuBar().findChildren(QMenu)]
    checked = 0
    for menu in menus:
        entries = [a for a in menu.actions() if not a.isSeparator() and a.text()]
        if menu.objectName() == "recentMenu":
            continue  # file names, filled at run time
        keys = [key(a.text()) for a in entries]
        assert None not in keys, [a.text() for a in entries if key(a.text()) is None]
        assert len(set(keys)) == len(keys), [a.text() for a in entries]
        checked += len(entries)
    assert checked > 30


# ---------------------------------------------------------------------------- focus ring
@pytest.fixture
def system_theme_again():
    yield
    theme.choose("system")


def _colours(image) -> dict[tuple[int, int, int], int]:
    """Pixel counts per RGB colour of a QImage."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            counts[(colour.red(), colour.green(), colour.blue())] += 1
    return counts


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_the_default_button(qtbot, scheme, system_theme_again):
    """WCAG 2.2 non-text contrast, read from the rendered pixels: the ring that keyboard focus
    draws on a button is >= 3:1 against every colour of the default button next to it (fill and
    frame) and against the window around it."""
    theme.choose(scheme)
    assert theme.is_dark() == (scheme == "dark")
    panel = QWidget()
    qtbot.addWidget(panel)
    layout = QHBoxLayout(panel)
    default = QPushButton("Train")
    default.setDefault(True)
    other = QPushButton("Cancel")
    layout.addWidget(default)
    layout.addWidget(other)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel, timeout=5000)
    default.setFocus()  # the focus on the default button, so the other shows no ring
    qtbot.waitUntil(default.hasFocus, timeout=2000)
    plain = other.grab().toImage()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=2000)
    focused = other.grab().toImage()
    # The default button, drawn as the default without the focus.
    default_colours = _colours(default.grab().toImage())

    changed: dict[tuple[int, int, int], int] = {}
    for y in range(plain.height()):
        for x in range(plain.width()):
            if plain.pixelColor(x, y) != focused.pixelColor(x, y):
                colour = focused.pixelColor(x, y)
                key = (colour.red(), colour.green(), colour.blue())
                changed[key] = changed.get(key, 0) + 1
    assert sum(changed.values()) >= 2 * (plain.width() + plain.height()), "no ring drawn around the focused button"
    ring = QColor(*max(changed, key=changed.get))  # the ring's own colour (its edges are blends)
    # WCAG 2.4.13: the ring's pixels against the same pixels without the focus.
    replaced = {plain.pixelColor(x, y).name() for y in range(plain.height()) for x in range(plain.width())
                if focused.pixelColor(x, y) == ring != plain.pixelColor(x, y)}
    assert min(theme.contrast(ring, QColor(c)) for c in replaced) >= 3.0, (scheme, ring.name(), replaced)
    total = sum(default_colours.values())
    # Every colour that makes up at least 2% of the default button: its fill shades and its frame.
    main_colours = [QColor(*c) for c, n in default_colours.items() if n >= 0.02 * total]
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    ratios = {c.name(): theme.contrast(ring, c) for c in main_colours + [window]}
    assert min(ratios.values()) >= 3.0, (scheme, ring.name(), {k: round(v, 3) for k, v in ratios.items()})


def test_the_menu_key_on_a_taught_drawing_offers_relabel_and_delete(window, qtbot):
    """The Menu key sends the focused widget a context-menu event at its text cursor, for a list the
    current item (as QWidgetWindow does): the same menu as a right click on that drawing."""
    _teach_a_drawn_four(window, qtbot)
    window.dataset_tab.show_personal()
    window.show_tab("Dataset")
    gallery = window.dataset_tab.gallery
    qtbot.waitUntil(lambda: gallery.model().rowCount() >= 1, timeout=5000)
    gallery.select_row(0)
    gallery.setFocus()
    seen: list[list[str]] = []

    def read_and_close_the_menu() -> None:
        menu = QApplication.activePopupWidget()
        seen.append([a.text() for a in menu.actions()] if menu is not None else [])
        if menu is not None:
            menu.close()

    QTimer.singleShot(100, read_and_close_the_menu)
    position = gallery.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle).center()
    QApplication.sendEvent(gallery, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, position,
                                                      gallery.mapToGlobal(position)))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[0] == ["Relabel as", "Delete drawing"]

"""Accessibility, control by control: every action reachable from the keyboard, new readings
announced to screen readers, a focus ring that cannot be mistaken for the default button."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAccessible

from benchmarks.handwriting import make_drawing
from benchmarks.replay import draw


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
    from benchmarks.synthetic_frames import make_frame
    from tests.gui.test_camera_tab import ScriptedSource

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

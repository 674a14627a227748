"""GUI fixtures: every test must leave no worker, no raw thread and no running timer behind it."""

from __future__ import annotations

import gc
import time

import pytest
from PySide6.QtCore import QThread, QTimer


@pytest.fixture(scope="session", autouse=True)
def garbage_collected_on_the_gui_thread(qapp):
    """As in the app (create_application): its timer runs for the whole session, not one test."""
    from mnist_desktop.gui.app import collect_garbage_on_the_gui_thread

    collect_garbage_on_the_gui_thread()


@pytest.fixture(autouse=True)
def no_leftover_threads(qapp, monkeypatch):
    """Like napari's leak checks: records every QTimer and QThread the test starts, and fails the test
    if one is still running after its windows were closed."""
    from mnist_desktop.gui import workers

    timers: list[QTimer] = []
    threads: list[QThread] = []
    timer_start, thread_start = QTimer.start, QThread.start

    def record_timer(self, *args):
        timers.append(self)
        return timer_start(self, *args)

    def record_thread(self, *args):
        threads.append(self)
        return thread_start(self, *args)

    monkeypatch.setattr(QTimer, "start", record_timer)
    monkeypatch.setattr(QThread, "start", record_thread)
    yield
    monkeypatch.undo()
    # Close what the test left open: a window stops its workers on close, then closes for real.
    for widget in qapp.topLevelWidgets():
        widget.close()
    deadline = time.monotonic() + 15
    while (any(w.isVisible() for w in qapp.topLevelWidgets()) or workers.running_workers()) \
            and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    # A window that was never shown closes too, once its tasks have ended (it checks every 20 ms).
    settle = time.monotonic() + 0.1
    while time.monotonic() < settle:
        qapp.processEvents()
        time.sleep(0.01)
    # Collect the closed windows' Qt wrappers here, on the GUI thread. Left to chance, the garbage
    # collector may run inside a worker thread of a later test; PySide then hands the deletion of
    # parentless menus (pyqtgraph's) to the GUI thread and the two threads can deadlock.
    gc.collect()
    qapp.processEvents()
    # A worker asked to stop ends within one step of its work (a batch, a frame, a pass).
    leftover = [w for w in workers.running_workers() if not w.wait(10_000)]
    for worker in leftover:
        worker.stop_and_wait(10_000)
    assert not leftover, f"test left workers running: {[w.name for w in leftover]}"
    qapp.processEvents()
    running_threads = [t for t in threads if _alive(t) and t.isRunning()]
    for thread in running_threads:
        thread.wait(10_000)
    assert not running_threads, f"test left threads running: {[t.objectName() or type(t).__name__ for t in running_threads]}"
    active_timers = [t for t in timers if _alive(t) and t.isActive()]
    for timer in active_timers:
        timer.stop()
    assert not active_timers, f"test left timers running: {[_describe(t) for t in active_timers]}"


def _alive(qobject) -> bool:
    from shiboken6 import isValid

    return isValid(qobject)


def _describe(timer: QTimer) -> str:
    parent = timer.parent()
    owner = type(parent).__name__ if parent is not None else "no parent"
    return f"QTimer({timer.interval()} ms, {timer.objectName() or 'unnamed'}, in {owner})"


@pytest.fixture
def window(qtbot):
    """The main window, shown, with the bundled data set and the shipped model loaded."""
    from mnist_desktop.gui.main_window import MainWindow

    win = MainWindow(restore=False)
    # Not qtbot.addWidget: qtbot would close it before this fixture can answer "stop training?".
    win.show()
    if not win.is_ready():
        with qtbot.waitSignal(win.ready, timeout=20_000):
            pass
    yield win
    # A test that failed mid-run must not leave a "stop training?" question blocking the teardown.
    win.training_tab.confirm_close = lambda: True
    win.close()
    # Closing waits for the background work to stop (one batch, one frame) without blocking.
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=15_000)
    win.deleteLater()

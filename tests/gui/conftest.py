"""GUI fixtures: every test must leave no worker thread running behind it."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True)
def no_leftover_threads(qapp):
    from mnist_desktop.gui import workers

    yield
    # Close what the test left open: windows join their workers on close.
    for widget in qapp.topLevelWidgets():
        widget.close()
    qapp.processEvents()
    # Collect the closed windows' Qt wrappers here, on the GUI thread. Left to chance, the garbage
    # collector may run inside a worker thread of a later test; PySide then hands the deletion of
    # parentless menus (pyqtgraph's) to the GUI thread and the two threads can deadlock.
    gc.collect()
    qapp.processEvents()
    # A worker that has sent its last signal may need a moment to leave its thread.
    leftover = [w for w in workers.running_workers() if not w.wait(2000)]
    for worker in leftover:
        worker.stop_and_wait(10_000)
    assert not leftover, f"test left workers running: {[w.name for w in leftover]}"


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
    for tab in (win.training_tab, win.camera_tab):
        tab.confirm_close = lambda: True
    win.close()
    win.deleteLater()

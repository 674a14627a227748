"""An unhandled exception ends in a dialog with the message and a way to copy the details."""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from mnist_desktop.gui import app as gui_app


def test_unhandled_exception_shows_a_dialog_with_copyable_details(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(gui_app.threading, "excepthook", gui_app.threading.excepthook)
    gui_app.install_crash_dialog()
    try:
        raise RuntimeError("the flux capacitor is empty")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: any(w.objectName() == "crashDialog" for w in QApplication.topLevelWidgets()
                                if w.isVisible()), timeout=3000)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible())
    assert isinstance(box, QMessageBox)
    assert "the flux capacitor is empty" in box.informativeText()
    assert "Traceback" in box.detailedText()
    copy = next(b for b in box.findChildren(QPushButton) if b.text() == "Copy details")
    copy.click()
    assert "the flux capacitor is empty" in QGuiApplication.clipboard().text()
    assert box.isVisible(), "copying keeps the dialog open"
    box.close()


def test_the_crash_dialog_and_report_a_problem_point_to_the_log_file(qtbot, monkeypatch, tmp_path):
    from mnist_desktop.gui.main_window import MainWindow
    from mnist_desktop.logs import log_file

    monkeypatch.setenv("MNIST_DESKTOP_LOG_DIR", str(tmp_path))
    crash = gui_app.show_crash_dialog("ValueError: x", "Traceback ...")
    assert str(tmp_path / "mnist-desktop.log") in crash.text()
    crash.close()
    window = MainWindow(restore=False)
    qtbot.addWidget(window)
    window.report_problem_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox, "reportProblemDialog")), timeout=3000)
    box = window.findChildren(QMessageBox, "reportProblemDialog")[-1]
    assert box.informativeText() == str(log_file()) == str(tmp_path / "mnist-desktop.log")
    box.close()

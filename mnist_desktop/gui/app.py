"""The QApplication, the crash dialog, and the screenshot mode."""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

# Re-exported: the name and the remembered settings live in a leaf module (no import cycle).
from mnist_desktop.gui.settings import APP_NAME, ORGANIZATION, app_icon, record_error, settings

__all__ = ["APP_NAME", "ORGANIZATION", "create_application", "install_crash_dialog", "run", "settings",
           "show_crash_dialog"]


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    from mnist_desktop import __version__

    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("mnist-desktop")
    app.setWindowIcon(app_icon())
    from mnist_desktop.gui import theme

    theme.manager()  # light or dark as the system (or the View menu) says, before the first paint
    collect_garbage_on_the_gui_thread()
    return app


_collector = None


def collect_garbage_on_the_gui_thread() -> None:
    """Python collects reference cycles in whichever thread happens to cross the allocation
    threshold. A cycle holding a Qt widget (pyqtgraph's parentless context menus) is then destroyed
    in a worker thread, which Qt forbids and which deadlocked the GUI thread against a report being
    written. pyqtgraph's recipe: automatic collection off, collected on the GUI thread on a timer."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=0.5)


def install_crash_dialog() -> None:
    """An unhandled exception ends in a dialog with the message and a way to copy the details,
    not a vanished window (PySide6 would otherwise print it and carry on, or abort)."""

    def hook(kind, value, tb) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        logging.getLogger(__name__).error("unhandled exception\n%s", details)
        sys.__stderr__.write(details)
        if isinstance(value, KeyboardInterrupt):
            QApplication.quit()
            return
        show_crash_dialog(f"{kind.__name__}: {value}", details)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        details = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        logging.getLogger(__name__).error("unhandled exception in a thread\n%s", details)
        sys.__stderr__.write(details)
        # Not on the GUI thread: hand the dialog over to it.
        QTimer.singleShot(0, lambda: show_crash_dialog(f"{args.exc_type.__name__}: {args.exc_value}", details))

    sys.excepthook = hook
    threading.excepthook = thread_hook


_open_dialogs: list[QMessageBox] = []


def show_crash_dialog(message: str, details: str) -> QMessageBox:
    record_error(f"{message}\n\n{details}")
    app = QApplication.instance()
    box = QMessageBox(app.activeWindow() if app else None)
    box.setObjectName("crashDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(f"{APP_NAME}: something went wrong")
    from mnist_desktop.logs import log_file

    box.setText("Something went wrong. Your data and models are safe; you can carry on, or copy the "
                f"details below into a bug report and attach the log file {log_file()}.")
    box.setInformativeText(message)
    box.setDetailedText(details)
    # Made by the box, so the box owns it (a button passed in would be freed with its wrapper).
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()  # keep the box open after copying
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{message}\n\n{details}"))
    box.addButton(QMessageBox.StandardButton.Close)
    _open_dialogs.append(box)
    box.finished.connect(lambda _: _open_dialogs.remove(box) if box in _open_dialogs else None)
    box.open()
    return box


def run(*, dataset: str | None = None, model: str | None = None, screenshot: str | None = None,
        tab: str | None = None) -> int:
    app = create_application()
    install_crash_dialog()
    from mnist_desktop.gui.main_window import MainWindow

    window = MainWindow(dataset=dataset, model=model)
    if tab:
        if not window.show_tab(tab):
            print(f"mnist-desktop: error: no tab named {tab!r}", file=sys.stderr)
            return 2
    window.show()
    if screenshot:
        return _screenshot(app, window, Path(screenshot))
    return leave(app.exec())


def leave(code: int) -> int:
    """End the process as soon as the window has closed. By then every task has stopped and the
    settings and logs are written; what is left is TensorFlow's own teardown, which takes seconds
    after a training run and would keep a closed app alive (and its CPU busy)."""
    if "tensorflow" not in sys.modules:
        return code
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    os._exit(code)


def _screenshot(app: QApplication, window, target: Path) -> int:
    """Wait until the window is ready and no background work is left, save it as PNG, quit."""
    from mnist_desktop.gui import workers

    status = {"code": 0}
    poll = QTimer(window)

    def capture() -> None:
        app.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target)):
            print(f"mnist-desktop: error: cannot write {target}", file=sys.stderr)
            status["code"] = 2
        window.close()

    def settled() -> None:
        if not workers.running_workers():
            poll.stop()
            # Let the last repaint happen (plots update on a timer).
            QTimer.singleShot(400, capture)

    def when_ready() -> None:
        poll.timeout.connect(settled)
        poll.start(100)

    if window.is_ready():
        when_ready()
    else:
        window.ready.connect(when_ready)
    QTimer.singleShot(60_000, capture)  # never hang if something never becomes ready
    app.exec()
    return status["code"]

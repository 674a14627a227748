"""The one mechanism for background work in the app.

Patterned on superqt's thread workers and Orange's concurrent helpers: the work is a plain function
that receives a `WorkContext` (progress, status, should_stop, emit) and knows nothing of Qt. A
`Worker` runs it in its own QThread and reports through signals, which Qt delivers on the GUI
thread, so slots may touch widgets. An exception in the work becomes the ``error`` signal (and, if
nobody handles it, a message box): never a silent dead thread. Every running worker is registered,
so the window can stop and join them all on close and tests can check none is left behind.
"""

from __future__ import annotations

import threading
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal

_running: set[Worker] = set()
_lock = threading.Lock()


class Cancelled(Exception):
    """Raised by `WorkContext.check` when the worker was asked to stop."""


class WorkContext:
    """Handed to the work function; every method is safe to call from the worker thread."""

    def __init__(self, worker: Worker) -> None:
        self._worker = weakref.ref(worker)
        self._stop = worker._stop
        self._last_progress = 0.0

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        if self._stop.is_set():
            raise Cancelled()

    def progress(self, fraction: float, *, force: bool = False) -> None:
        # Throttled to ~30 updates a second: more only floods the GUI thread's event queue.
        now = time.monotonic()
        if force or fraction >= 1.0 or now - self._last_progress >= 0.033:
            self._last_progress = now
            worker = self._worker()
            if worker is not None:
                worker.progress.emit(float(fraction))

    def status(self, text: str) -> None:
        worker = self._worker()
        if worker is not None:
            worker.status.emit(text)

    def emit(self, payload: Any) -> None:
        """Stream an intermediate result (a training batch, a camera frame) to the GUI thread."""
        worker = self._worker()
        if worker is not None:
            worker.yielded.emit(payload)


class Worker(QThread):
    """Runs ``function(context, *args, **kwargs)`` in a thread of its own.

    Cancelling is cooperative: the function sees ``context.should_stop()`` and either raises
    `Cancelled` (nothing to deliver) or returns what it has (delivered as ``result``).

    Signals: ``started`` (QThread's), ``progress(float)``, ``status(str)``, ``yielded(object)``,
    ``result(object)``, ``error(BaseException)`` (the exception carries ``details``, its traceback
    text), ``cancelled()`` and ``done()`` (always last, whatever happened).
    """

    progress = Signal(float)
    status = Signal(str)
    yielded = Signal(object)
    result = Signal(object)
    error = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, function: Callable[..., Any], *args: Any, name: str = "", parent: QObject | None = None,
                 **kwargs: Any) -> None:
        super().__init__(parent)
        self._function = function
        self._args = args
        self._kwargs = kwargs
        self._stop = threading.Event()
        self.name = name or getattr(function, "__name__", "work")
        self.setObjectName(f"worker:{self.name}")
        self.finished.connect(self._unregister)

    def start(self, *args: Any, **kwargs: Any) -> None:  # noqa: D401 - QThread API
        with _lock:
            _running.add(self)
        super().start(*args, **kwargs)

    def cancel(self) -> None:
        """Ask the work to stop at its next check; returns at once."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    def stop_and_wait(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and join; True when the thread has ended."""
        self.cancel()
        return self.wait(timeout_ms) if self.isRunning() else True

    def run(self) -> None:
        context = WorkContext(self)
        try:
            value = self._function(context, *self._args, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - reported through the error signal
            exc.details = "".join(traceback.format_exception(exc))  # type: ignore[attr-defined]
            if self._stop.is_set() and not _is_user_error(exc):
                self.cancelled.emit()
            else:
                self.error.emit(exc)
        else:
            # A function that returns after a cancel request returns what it kept (a training run
            # stopped early still has its best weights); one with nothing to give raises Cancelled.
            self.result.emit(value)
        finally:
            self.done.emit()

    def _unregister(self) -> None:
        with _lock:
            _running.discard(self)


def _is_user_error(exc: BaseException) -> bool:
    from mnist_desktop.core.errors import MnistDesktopError

    return isinstance(exc, MnistDesktopError)


def running_workers() -> list[Worker]:
    with _lock:
        return [w for w in _running if w.isRunning()]


def stop_all(timeout_ms: int = 30_000) -> bool:
    """Cancel every running worker and wait for each; True when all have ended."""
    workers = running_workers()
    for worker in workers:
        worker.cancel()
    return all(worker.wait(timeout_ms) for worker in workers)


def start_worker(
    owner: QObject,
    function: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[float], None] | None = None,
    on_status: Callable[[str], None] | None = None,
    on_yielded: Callable[[Any], None] | None = None,
    on_done: Callable[[], None] | None = None,
    name: str = "",
    **kwargs: Any,
) -> Worker:
    """Create, connect and start a worker owned by ``owner`` (a widget). Without ``on_error`` an
    exception is shown in a message box over ``owner``'s window."""
    worker = Worker(function, *args, name=name, parent=owner, **kwargs)
    if on_result:
        worker.result.connect(on_result)
    worker.error.connect(on_error or (lambda exc: show_error(owner, f"{worker.name} failed", exc)))
    if on_progress:
        worker.progress.connect(on_progress)
    if on_status:
        worker.status.connect(on_status)
    if on_yielded:
        worker.yielded.connect(on_yielded)
    if on_done:
        worker.done.connect(on_done)
    # Release the QThread once it has ended and its last signals were delivered.
    worker.finished.connect(worker.deleteLater)
    worker.start()
    return worker


def show_error(parent: QObject | None, title: str, exc: BaseException) -> None:
    """A message box with the error's own words; the traceback under "Show Details" for bugs."""
    from PySide6.QtWidgets import QMessageBox, QWidget

    from mnist_desktop.core.errors import MnistDesktopError

    from mnist_desktop.gui.app import record_error

    record_error(f"{title}: {type(exc).__name__}: {exc}")
    widget = parent if isinstance(parent, QWidget) else None
    box = QMessageBox(widget.window() if widget else None)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    if isinstance(exc, MnistDesktopError):
        box.setText(str(exc))
    else:
        box.setText(f"{type(exc).__name__}: {exc}")
        box.setDetailedText(getattr(exc, "details", "") or "".join(traceback.format_exception(exc)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()

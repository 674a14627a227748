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

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

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
        # ``finished`` is sent from the thread's last moments: let it end before the object may go.
        self.wait()
        with _lock:
            _running.discard(self)
        self.deleteLater()


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


class Task(QObject):
    """One start of a `TaskSlot`: the worker's signals, re-emitted on the GUI thread for as long as
    the task is its slot's current one. A task that was cancelled or replaced goes silent at once:
    whatever its thread still sends (a late ``result`` or ``done``) never reaches the tab.

    Signals: ``progress(float)``, ``status(str)``, ``yielded(object)``, ``result(object)``,
    ``error(object)``, ``cancelled()`` and ``done()`` (last; only for a task that was not replaced).
    """

    progress = Signal(float)
    status = Signal(str)
    yielded = Signal(object)
    result = Signal(object)
    error = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker
        self.live = True
        # Bound methods of an object that lives on the GUI thread: Qt queues each emission to it.
        worker.progress.connect(self._on_progress)
        worker.status.connect(self._on_status)
        worker.yielded.connect(self._on_yielded)
        worker.result.connect(self._on_result)
        worker.error.connect(self._on_error)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)

    @property
    def name(self) -> str:
        return self.worker.name

    def cancel(self) -> None:
        self.worker.cancel()

    def detach(self) -> None:
        """Go silent: disconnect from the worker, and drop anything it already queued."""
        self.live = False
        for signal, slot in ((self.worker.progress, self._on_progress), (self.worker.status, self._on_status),
                             (self.worker.yielded, self._on_yielded), (self.worker.result, self._on_result),
                             (self.worker.error, self._on_error), (self.worker.cancelled, self._on_cancelled),
                             (self.worker.done, self._on_done)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # the thread object is already gone
                pass

    # Qt may still deliver an emission that was queued before the disconnect: ``live`` stops those.
    @Slot(float)
    def _on_progress(self, fraction: float) -> None:
        if self.live:
            self.progress.emit(fraction)

    @Slot(str)
    def _on_status(self, text: str) -> None:
        if self.live:
            self.status.emit(text)

    @Slot(object)
    def _on_yielded(self, payload: Any) -> None:
        if self.live:
            self.yielded.emit(payload)

    @Slot(object)
    def _on_result(self, value: Any) -> None:
        if self.live:
            self.result.emit(value)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if self.live:
            self.error.emit(exc)

    @Slot()
    def _on_cancelled(self) -> None:
        if self.live:
            self.cancelled.emit()

    @Slot()
    def _on_done(self) -> None:
        if self.live:
            self.done.emit()


class TaskSlot(QObject):
    """Room for one background task of a kind ("the evaluation", "the camera loop"): starting a new
    one cancels the previous one *and* disconnects it, so only the latest task ever reaches the
    widgets. Callbacks are connected before the thread starts. The slot owns the busy state and the
    progress, so a tab enables its buttons from ``busyChanged`` instead of bookkeeping of its own.

    In the spirit of Orange's ``ConcurrentMixin`` and superqt's ``create_worker(_start_thread=False)``.
    """

    busyChanged = Signal(bool)
    progressChanged = Signal(float)
    statusChanged = Signal(str)
    finished = Signal()  # the current task ended (after its own callbacks), whatever the outcome

    def __init__(self, owner: QObject, name: str, *, on_error: Callable[[BaseException], None] | None = None) -> None:
        super().__init__(owner)
        self.owner = owner
        self.name = name
        self._on_error = on_error
        self.task: Task | None = None
        self.progress = 0.0
        self.status = ""
        self._threads: set[Worker] = set()  # the current task's and replaced ones still ending

    def running_workers(self) -> list[Worker]:
        """This slot's threads that have not ended yet, replaced tasks included."""
        return [worker for worker in self._threads if worker.isRunning()]

    @property
    def busy(self) -> bool:
        return self.task is not None

    @property
    def cancel_requested(self) -> bool:
        return self.task is not None and self.task.worker.cancel_requested

    def start(
        self,
        function: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        on_yielded: Callable[[Any], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_done: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> Task:
        """Cancel and silence the running task, then run ``function(context, *args, **kwargs)``.
        Without ``on_error`` (here or on the slot) an exception is shown in a message box."""
        was_busy = self.busy
        self._drop_current()
        # No parent: a window deleted while its task still finishes must not take the running thread
        # with it. The registry holds the worker until its thread has ended, then lets it go.
        worker = Worker(function, *args, name=self.name, **kwargs)
        self._threads.add(worker)
        worker.finished.connect(lambda: self._threads.discard(worker))
        task = Task(worker)
        task.setParent(worker)  # freed with the thread object, after its last signal was delivered
        task.progress.connect(self._progress)
        task.status.connect(self._status)
        error_handler = on_error or self._on_error
        task.error.connect(error_handler or (lambda exc: show_error(self.owner, f"{self.name} failed", exc)))
        # A slot deleted with its tab (a window deleted while a task still ends) silences the task.
        self.destroyed.connect(task.detach)
        # First, so that the tab's own ``on_done`` already sees the slot idle.
        task.done.connect(lambda: self._ended(task))
        for signal, callback in ((task.result, on_result), (task.progress, on_progress), (task.status, on_status),
                                 (task.yielded, on_yielded), (task.cancelled, on_cancelled), (task.done, on_done)):
            if callback is not None:
                signal.connect(callback)
        self.task = task
        self.progress = 0.0
        self.status = ""
        self.progressChanged.emit(0.0)
        if not was_busy:
            self.busyChanged.emit(True)
        worker.start()
        return task

    def cancel(self) -> None:
        """Stop the running task (cooperatively) and forget it at once: nothing more of it arrives."""
        if self.task is not None:
            self._drop_current()
            self.busyChanged.emit(False)
            self.finished.emit()

    def request_stop(self) -> None:
        """Ask the running task to stop but still take what it delivers (a stopped training run
        returns its best weights)."""
        if self.task is not None:
            self.task.cancel()

    def _drop_current(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            task.detach()

    def _ended(self, task: Task) -> None:
        if self.task is task:
            self.task = None
            task.detach()
            self.busyChanged.emit(False)
            self.finished.emit()

    def _progress(self, fraction: float) -> None:
        self.progress = fraction
        self.progressChanged.emit(fraction)

    def _status(self, text: str) -> None:
        self.status = text
        self.statusChanged.emit(text)


def show_error(parent: QObject | None, title: str, exc: BaseException) -> None:
    """A message box with the error's own words; the traceback under "Show Details" for bugs."""
    from PySide6.QtWidgets import QMessageBox, QWidget

    from mnist_desktop.core.errors import MnistDesktopError

    from mnist_desktop.gui.settings import record_error

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

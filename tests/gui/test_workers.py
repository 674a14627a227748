"""The one worker mechanism: results, errors, cancellation, progress, and nothing left running."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from mnist_desktop.core.errors import DatasetError
from mnist_desktop.gui import workers


@pytest.fixture
def owner(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_result_arrives_on_the_gui_thread(qtbot, owner):
    seen = {}

    def work(context, a, b):
        seen["worker_thread"] = threading.current_thread()
        context.progress(0.5, force=True)
        return a + b

    progress = []
    worker = workers.start_worker(owner, work, 2, 3, on_result=lambda v: seen.setdefault("result", (v, threading.current_thread())),
                                  on_progress=progress.append)
    with qtbot.waitSignal(worker.done, timeout=5000):
        pass
    value, thread = seen["result"]
    assert value == 5 and thread is threading.main_thread() and seen["worker_thread"] is not threading.main_thread()
    assert progress == [0.5]


def test_an_exception_becomes_the_error_signal_with_details(qtbot, owner):
    errors = []

    def work(context):
        raise ZeroDivisionError("boom")

    worker = workers.start_worker(owner, work, on_error=errors.append)
    with qtbot.waitSignal(worker.done, timeout=5000):
        pass
    assert isinstance(errors[0], ZeroDivisionError) and "Traceback" in errors[0].details


def test_an_unhandled_error_shows_a_message_box(qtbot, owner):
    worker = workers.start_worker(owner, lambda context: (_ for _ in ()).throw(DatasetError("bad.csv, line 3: no")),
                                  name="Loading")
    with qtbot.waitSignal(worker.done, timeout=5000):
        pass
    qtbot.waitUntil(lambda: bool(owner.findChildren(QMessageBox)), timeout=3000)
    boxes = owner.findChildren(QMessageBox)
    assert "bad.csv, line 3: no" in boxes[-1].text() and boxes[-1].windowTitle() == "Loading failed"
    for box in boxes:
        box.close()


def test_cancel_is_cooperative_and_reported(qtbot, owner):
    started = threading.Event()

    def work(context):
        started.set()
        while True:
            context.check()
            time.sleep(0.01)

    cancelled = []
    worker = workers.start_worker(owner, work, on_result=lambda v: pytest.fail("no result expected"))
    worker.cancelled.connect(lambda: cancelled.append(True))
    started.wait(5)
    assert worker in workers.running_workers()
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.cancel()
    assert cancelled == [True]
    qtbot.waitUntil(lambda: worker not in workers.running_workers(), timeout=2000)


def test_stop_all_joins_every_worker(qtbot, owner):
    def work(context):
        while not context.should_stop():
            time.sleep(0.01)

    running = [workers.start_worker(owner, work, name=f"w{i}") for i in range(3)]
    qtbot.waitUntil(lambda: all(w.isRunning() for w in running), timeout=2000)
    assert workers.stop_all(5000)
    assert not workers.running_workers()


def test_yielded_payloads_stream_in_order(qtbot, owner):
    received = []

    def work(context):
        for k in range(5):
            context.emit(k)
        return "end"

    worker = workers.start_worker(owner, work, on_yielded=received.append)
    with qtbot.waitSignal(worker.done, timeout=5000):
        pass
    assert received == [0, 1, 2, 3, 4]

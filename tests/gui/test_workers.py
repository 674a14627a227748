"""The one worker mechanism: results, errors, cancellation, progress, only the latest task of a
slot reaching the widgets, and nothing left running."""

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


@pytest.fixture
def slot(owner):
    return workers.TaskSlot(owner, "Work")


def test_result_arrives_on_the_gui_thread(qtbot, slot):
    seen = {}

    def work(context, a, b):
        seen["worker_thread"] = threading.current_thread()
        context.progress(0.5, force=True)
        return a + b

    progress = []
    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.start(work, 2, 3, on_result=lambda v: seen.setdefault("result", (v, threading.current_thread())),
                   on_progress=progress.append)
    value, thread = seen["result"]
    assert value == 5 and thread is threading.main_thread() and seen["worker_thread"] is not threading.main_thread()
    assert progress == [0.5] and slot.progress == 0.5 and not slot.busy


def test_callbacks_are_connected_before_the_thread_starts(qtbot, slot):
    """A task that ends at once still delivers everything: nothing is sent before anyone listens."""
    results, done = [], []
    for k in range(25):
        with qtbot.waitSignal(slot.finished, timeout=5000):
            task = slot.start(lambda context, k=k: k, on_result=results.append, on_done=lambda: done.append(True))
        assert isinstance(task, workers.Task)
    assert results == list(range(25)) and len(done) == 25


def test_an_exception_becomes_the_error_signal_with_details(qtbot, slot):
    errors = []

    def work(context):
        raise ZeroDivisionError("boom")

    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.start(work, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError) and "Traceback" in errors[0].details


def test_an_unhandled_error_shows_a_message_box(qtbot, owner):
    slot = workers.TaskSlot(owner, "Loading")
    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.start(lambda context: (_ for _ in ()).throw(DatasetError("bad.csv, line 3: no")))
    qtbot.waitUntil(lambda: bool(owner.findChildren(QMessageBox)), timeout=3000)
    boxes = owner.findChildren(QMessageBox)
    assert "bad.csv, line 3: no" in boxes[-1].text() and boxes[-1].windowTitle() == "Loading failed"
    for box in boxes:
        box.close()


def test_a_stop_request_is_cooperative_and_reported(qtbot, slot):
    started = threading.Event()

    def work(context):
        started.set()
        while True:
            context.check()
            time.sleep(0.01)

    cancelled = []
    task = slot.start(work, on_result=lambda v: pytest.fail("no result expected"),
                      on_cancelled=lambda: cancelled.append(True))
    started.wait(5)
    assert task.worker in workers.running_workers() and slot.busy
    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.request_stop()
    assert cancelled == [True] and not slot.busy
    qtbot.waitUntil(lambda: not workers.running_workers(), timeout=2000)


def test_a_cancelled_task_goes_silent_at_once(qtbot, slot):
    release = threading.Event()
    heard = []

    def work(context):
        release.wait(5)
        context.status("late status")
        return "late result"

    busy = []
    slot.busyChanged.connect(busy.append)
    task = slot.start(work, on_result=heard.append, on_status=heard.append, on_done=lambda: heard.append("done"),
                      on_cancelled=lambda: heard.append("cancelled"))
    thread = task.worker
    slot.cancel()
    assert not slot.busy and busy == [True, False]
    release.set()
    assert thread.wait(5000)
    qtbot.wait(100)  # every queued signal of the old task has had its chance
    assert heard == [] and busy == [True, False]


def test_a_late_finished_from_a_replaced_task_never_reaches_the_tab(qtbot, slot):
    """Start A, start B while A runs, then let A end: only B's result and B's end are heard."""
    release_a = threading.Event()
    heard = []

    def slow(context, name):
        release_a.wait(5)
        return name

    def quick(context, name):
        return name

    busy = []
    slot.busyChanged.connect(busy.append)
    slot.start(slow, "A", on_result=heard.append, on_done=lambda: heard.append("A done"))
    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.start(quick, "B", on_result=heard.append, on_done=lambda: heard.append("B done"))
    release_a.set()
    qtbot.waitUntil(lambda: not workers.running_workers(), timeout=5000)
    qtbot.wait(100)
    assert heard == ["B", "B done"]
    assert busy == [True, False], "replacing a task keeps the slot busy; one end is announced"


def test_stop_all_joins_every_worker(qtbot, owner):
    def work(context):
        while not context.should_stop():
            time.sleep(0.01)

    slots = [workers.TaskSlot(owner, f"w{i}") for i in range(3)]
    tasks = [s.start(work) for s in slots]
    qtbot.waitUntil(lambda: all(t.worker.isRunning() for t in tasks), timeout=2000)
    assert workers.stop_all(5000)
    assert not workers.running_workers()


def test_yielded_payloads_stream_in_order(qtbot, slot):
    received = []

    def work(context):
        for k in range(5):
            context.emit(k)
        return "end"

    with qtbot.waitSignal(slot.finished, timeout=5000):
        slot.start(work, on_yielded=received.append)
    assert received == [0, 1, 2, 3, 4]


def test_a_task_whose_owner_is_deleted_goes_silent(qtbot):
    """A window deleted while its task still runs: the late result must not reach deleted widgets."""
    from PySide6.QtWidgets import QLabel

    owner = QWidget()
    label = QLabel(owner)
    slot = workers.TaskSlot(owner, "Work")
    release = threading.Event()
    task = slot.start(lambda context: release.wait(5) and "late", on_result=label.setText)
    thread = task.worker
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label), timeout=2000)
    release.set()
    assert thread.wait(5000)
    qtbot.wait(100)  # a delivery to the deleted label would raise in the event loop here


def _alive(qobject) -> bool:
    from shiboken6 import isValid

    return isValid(qobject)


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    """A cycle that dies while a worker allocates is collected on the GUI thread, never in the worker
    (a Qt widget destroyed there deadlocked the suite while a report was being written)."""
    import gc
    import threading
    import weakref

    from mnist_desktop.gui.app import collect_garbage_on_the_gui_thread

    collect_garbage_on_the_gui_thread()
    assert not gc.isenabled()
    threads = []

    class Node:
        pass

    def make_cycles(count: int, watch: bool) -> None:
        for _ in range(count):
            node = Node()
            node.me = node
            if watch:
                weakref.finalize(node, lambda: threads.append(threading.current_thread() is threading.main_thread()))

    make_cycles(50, watch=True)
    worker = threading.Thread(target=make_cycles, args=(20_000, False))  # far past every threshold
    worker.start()
    worker.join()
    assert threads == []  # nothing was collected in the worker
    qtbot.waitUntil(lambda: len(threads) == 50, timeout=5000)
    assert all(threads)

"""The main window opens fast, with five tabs, without TensorFlow, and keeps its promises."""

from __future__ import annotations

import subprocess
import sys

import pytest

from PySide6.QtWidgets import QTabWidget

from mnist_desktop.gui.main_window import TAB_TITLES, MainWindow


def test_five_tabs_and_status(window):
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Dataset", "Training", "Evaluation", "Draw", "Camera"]
    assert list(TAB_TITLES) == [tabs.tabText(i) for i in range(tabs.count())]
    assert "MNIST: 60,000 train / 10,000 test" in window.dataset_label.text()
    assert window.state.dataset is not None


def test_show_tab_by_name(window):
    assert window.show_tab("draw") and window.tabs.tabText(window.tabs.currentIndex()) == "Draw"
    assert not window.show_tab("nonsense")


@pytest.mark.slow
def test_window_opens_without_tensorflow():
    # In a fresh interpreter: other tests in this process may have loaded TensorFlow.
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from mnist_desktop.gui.main_window import MainWindow\n"
        "w = MainWindow(restore=False); w.show(); app.processEvents()\n"
        "from PySide6.QtCore import QTimer\n"
        "w.ready.connect(app.quit); QTimer.singleShot(20000, app.quit); app.exec()\n"
        "print('ready' if w.is_ready() else 'not-ready', 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
        "w.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["ready", "False", "False"], result.stderr[-2000:]


def test_nothing_heavy_is_imported_before_the_first_paint():
    # In a fresh interpreter, as the app starts: OpenCV, LiteRT, Matplotlib, scikit-learn and
    # TensorFlow cost start-up time and the first paint needs none of them (they load after it).
    code = (
        "import sys\n"
        "from PySide6.QtCore import QEvent, QObject, QTimer\n"
        "from mnist_desktop.gui.app import create_application\n"
        "app = create_application()\n"
        "from mnist_desktop.gui.main_window import MainWindow\n"
        "class FirstPaint(QObject):\n"
        "    def eventFilter(self, obj, event):\n"
        "        if event.type() == QEvent.Type.Paint and not hasattr(self, 'loaded'):\n"
        "            self.loaded = sorted({m.split('.')[0] for m in sys.modules} & {'cv2', 'ai_edge_litert', "
        "'matplotlib', 'sklearn', 'tensorflow', 'keras'})\n"
        "            QTimer.singleShot(0, app.quit)\n"
        "        return False\n"
        "first_paint = FirstPaint(); app.installEventFilter(first_paint)\n"
        "w = MainWindow(restore=False); w.show()\n"
        "QTimer.singleShot(20000, app.quit); app.exec()\n"
        "print('loaded:', *getattr(first_paint, 'loaded', ['no-paint']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["loaded:"], (result.stdout, result.stderr[-2000:])


@pytest.mark.slow
def test_screenshot_mode_writes_a_png(tmp_path):
    target = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "--screenshot", str(target), "--tab", "Draw"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_unknown_tab_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "--screenshot", str(tmp_path / "x.png"),
                             "--tab", "Nope"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no tab named 'Nope'" in result.stderr


def test_geometry_and_tab_are_remembered(qtbot):
    first = MainWindow(restore=True)
    qtbot.addWidget(first)
    first.resize(720, 520)
    first.show_tab("Evaluation")
    first.close()
    # Closing waits for the background work (the data set may still be loading) without blocking.
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=15_000)
    second = MainWindow(restore=True)
    qtbot.addWidget(second)
    assert second.tabs.currentIndex() == 2
    assert (second.size().width(), second.size().height()) == (720, 520)
    second.close()


class HeldFrames:
    """A camera whose next frame arrives only when the test says so (a frame in flight at close)."""

    live = True
    name = "Held camera"

    def __init__(self, frames, gate):
        self.frames, self.gate, self.reads = frames, gate, 0

    def open(self):
        pass

    def read(self):
        self.reads += 1
        if self.reads > 1:
            self.gate.wait(10)
        return self.frames[0]

    def release(self):
        pass


class HeldModel:
    """The shipped model, but each answer waits until the test releases it (a batch in flight)."""

    def __init__(self, predictor, gate):
        import threading

        self._predictor, self.gate = predictor, gate
        self.name, self.metadata = predictor.name, predictor.metadata
        self.asked = threading.Event()

    def predict(self, images):
        self.asked.set()
        self.gate.wait(10)
        return self._predictor.predict(images)

    def describe(self):
        return "held"


def closes_after_the_work_in_flight(window, qtbot, gate):
    """Close while a step of background work is in flight: the window stays, says it is stopping,
    and closes once that step ends (within 2 s of it)."""
    import time

    from mnist_desktop.gui import workers

    window.close()
    assert window.isVisible() and window.is_stopping() and window.windowTitle().endswith("stopping…")
    assert not window.tabs.isEnabled(), "nothing can be started while stopping"
    assert "Stopping" in window.busy_label.text()
    qtbot.wait(100)
    assert window.isVisible(), "it waits for the step in flight"
    released = time.monotonic()
    gate.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert time.monotonic() - released < 2.0 and not workers.running_workers()


def test_closing_while_the_camera_reads_waits_for_the_frame_then_closes(window, qtbot, mnist):
    import threading

    import numpy as np

    from benchmarks.synthetic_frames import make_frame

    picks = [int(np.flatnonzero(mnist.y_test == d)[0]) for d in (4, 2)]
    frames = [make_frame(mnist.x_test[picks], mnist.y_test[picks], np.random.default_rng(0), hard=False).image]
    gate = threading.Event()
    window.show_tab("Camera")
    source = HeldFrames(frames, gate)
    window.camera_tab.start(source)
    # The first frame is read and shown; the loop waits for the second one.
    qtbot.waitUntil(lambda: window.camera_tab.reading_label.text() == "42" and source.reads == 2, timeout=10_000)
    closes_after_the_work_in_flight(window, qtbot, gate)


def test_closing_during_an_evaluation_waits_for_the_batch_then_closes(window, qtbot):
    import threading

    gate = threading.Event()
    model = HeldModel(window.state.predictor, gate)
    window.state.set_model(model, None)
    assert window.evaluation_tab.evaluate() is not None
    qtbot.waitUntil(model.asked.is_set, timeout=5000)  # the first batch is in flight
    closes_after_the_work_in_flight(window, qtbot, gate)


def test_one_tab_asks_another_through_the_state(window, qtbot):
    """The Training tab's Evaluate asks for an evaluation; the window shows the Evaluation tab and runs it."""
    with qtbot.waitSignal(window.evaluation_tab.task.finished, timeout=30_000):
        window.state.request_evaluation()
        assert window.tabs.tabText(window.tabs.currentIndex()) == "Evaluation"
    assert window.evaluation_tab.evaluation is not None
    window.state.request_tab("Draw")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Draw"

"""The main window: tabs, menus, status bar, settings. Thin on purpose: each tab is its own module,
and anything slow runs in a worker (`gui/workers.py`) after the window is on screen."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
)

from mnist_desktop.gui import workers
from mnist_desktop.gui.settings import APP_NAME, settings
from mnist_desktop.gui.state import AppState

TAB_TITLES = ("Dataset", "Training", "Evaluation", "Draw", "Camera")


class MainWindow(QMainWindow):
    """``MainWindow()`` returns at once; the data set and the model load in the background and
    ``ready`` fires when both are in (or failed with a message)."""

    ready = Signal()

    def __init__(self, dataset: str | None = None, model: str | None = None, *, restore: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")
        self.state = AppState(self)
        self._pending = {"dataset", "model"}
        self.dataset_task = workers.TaskSlot(self, "Loading the data set")
        self.model_task = workers.TaskSlot(self, "Loading the model")
        self._busy_messages: dict[workers.TaskSlot, str] = {}
        self._stopping = False
        self._stopped = False
        self._stop_poll = QTimer(self)
        self._stop_poll.setInterval(20)
        self._stop_poll.timeout.connect(self._close_when_stopped)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._build_tabs()
        self._build_status_bar()
        self._build_menus()

        stored = settings()
        if restore:
            geometry = stored.value("window/geometry")
            if isinstance(geometry, QByteArray) and not geometry.isEmpty():
                self.restoreGeometry(geometry)
            else:
                self.resize(1280, 820)
            self.tabs.setCurrentIndex(int(stored.value("window/tab", 0) or 0) % len(TAB_TITLES))
        else:
            self.resize(1280, 820)
        dataset = dataset or (stored.value("data/dataset") if restore else None) or None
        model = model or (stored.value("data/model") if restore else None) or None
        # After the window is shown: the first paint must not wait for NumPy or LiteRT.
        QTimer.singleShot(0, lambda: self.open_dataset(dataset, remember=False))
        QTimer.singleShot(0, lambda: self.open_model(model, remember=False))

    # ------------------------------------------------------------------ construction
    def _build_tabs(self) -> None:
        from mnist_desktop.gui.camera_tab import CameraTab
        from mnist_desktop.gui.dataset_tab import DatasetTab
        from mnist_desktop.gui.draw_tab import DrawTab
        from mnist_desktop.gui.evaluation_tab import EvaluationTab
        from mnist_desktop.gui.training_tab import TrainingTab

        self.dataset_tab = DatasetTab(self.state, self)
        self.training_tab = TrainingTab(self.state, self)
        self.evaluation_tab = EvaluationTab(self.state, self)
        self.draw_tab = DrawTab(self.state, self)
        self.camera_tab = CameraTab(self.state, self)
        # What one tab asks of another goes through the state, and is answered here.
        self.state.tabRequested.connect(self.show_tab)
        self.state.evaluationRequested.connect(self._evaluate_now)
        self.state.personalBrowseRequested.connect(self._browse_personal)
        for title, tab in zip(
            TAB_TITLES,
            (self.dataset_tab, self.training_tab, self.evaluation_tab, self.draw_tab, self.camera_tab),
            strict=True,
        ):
            self.tabs.addTab(tab, title)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_label = QLabel()
        self.busy_progress = QProgressBar()
        self.busy_progress.setObjectName("busyProgress")
        self.busy_progress.setMaximumWidth(180)
        self.busy_progress.setRange(0, 100)
        self.busy_progress.hide()
        self.model_label = QLabel("Model: loading…")
        self.model_label.setObjectName("modelStatus")
        self.dataset_label = QLabel("Dataset: loading…")
        self.dataset_label.setObjectName("datasetStatus")
        bar.addWidget(self.busy_label)
        bar.addWidget(self.busy_progress)
        bar.addPermanentWidget(self.dataset_label)
        bar.addPermanentWidget(self.model_label)
        self.state.datasetChanged.connect(self._show_dataset_status)
        self.state.modelChanged.connect(self._show_model_status)
        for slot in (self.dataset_task, self.model_task):
            slot.busyChanged.connect(self._show_busy)
            slot.statusChanged.connect(lambda text, slot=slot: self._set_busy_message(slot, text))
            slot.progressChanged.connect(lambda fraction: self.busy_progress.setValue(int(fraction * 100)))

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.open_dataset_action = self._action(file_menu, "Open &dataset…", self._ask_dataset,
                                                QKeySequence.StandardKey.Open)
        self.open_model_action = self._action(file_menu, "Open &model…", self._ask_model, "Ctrl+Shift+O")
        self.save_model_action = self._action(file_menu, "&Save model as…", self._ask_save_model,
                                              QKeySequence.StandardKey.SaveAs)
        self.export_report_action = self._action(file_menu, "&Export report…",
                                                 lambda: self.evaluation_tab.export_report(), "Ctrl+E")
        file_menu.addSeparator()
        self.classify_action = self._action(file_menu, "&Classify image…", lambda: self.draw_tab.classify_file(),
                                            "Ctrl+I")
        file_menu.addSeparator()
        self._action(file_menu, "&Reset to bundled MNIST and shipped model", self._reset_defaults)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        view = menu.addMenu("&View")
        for index, title in enumerate(TAB_TITLES):
            self._action(view, f"&{title}", lambda _=False, i=index: self.tabs.setCurrentIndex(i), f"Ctrl+{index + 1}")

        help_menu = menu.addMenu("&Help")
        self.report_problem_action = self._action(help_menu, "&Report a problem…", self._report_problem)
        self._action(help_menu, "&About MNIST Desktop", self._about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ------------------------------------------------------------------ public helpers
    def show_tab(self, name: str) -> bool:
        for index, title in enumerate(TAB_TITLES):
            if title.lower() == name.strip().lower():
                self.tabs.setCurrentIndex(index)
                return True
        return False

    def is_ready(self) -> bool:
        return not self._pending

    def _mark_loaded(self, what: str) -> None:
        self._pending.discard(what)
        if not self._pending:
            self.ready.emit()

    # ------------------------------------------------------------------ data set
    def open_dataset(self, path: str | None, *, remember: bool = True) -> workers.Task:
        """Load in the background; on failure the previous data set stays and a message says why.
        Opening another one meanwhile replaces this load: only the latest choice arrives."""
        from mnist_desktop.core.importers import load_dataset

        label = Path(path).name if path else "bundled MNIST"

        def work(context, source):
            return load_dataset(source, progress=context.progress)

        def loaded(dataset) -> None:
            self.state.set_dataset(dataset, path)
            if remember:
                settings().setValue("data/dataset", path or "")
            self.statusBar().showMessage(f"Loaded {dataset.summary()}", 5000)

        def failed(exc) -> None:
            if not remember and path:
                # A remembered data set that is gone or broken: fall back to the bundled MNIST.
                settings().remove("data/dataset")
                self.statusBar().showMessage(f"Could not reopen {label}: {exc}", 10000)
                QTimer.singleShot(0, lambda: self.open_dataset(None, remember=False))
                return
            workers.show_error(self, "Cannot open the data set", exc)
            self._show_dataset_status(self.state.dataset)

        self._busy_messages[self.dataset_task] = f"Loading {label}…"
        return self.dataset_task.start(work, path, on_result=loaded, on_error=failed)

    def _show_dataset_status(self, dataset) -> None:
        self.dataset_label.setText(f"Dataset: {dataset.summary()}" if dataset else "Dataset: none")
        self._mark_loaded("dataset")

    # ------------------------------------------------------------------ model
    def open_model(self, path: str | None, *, remember: bool = True) -> workers.Task:
        from mnist_desktop.ml.predictor import load_predictor

        label = Path(path).name if path else "the shipped model"

        def work(context, source):
            context.status(f"Loading {label}…")
            return load_predictor(source)

        def loaded(predictor) -> None:
            self.state.set_model(predictor, path)
            if remember:
                settings().setValue("data/model", path or "")
            self.statusBar().showMessage(f"Model {predictor.describe()} ready", 5000)

        def failed(exc) -> None:
            if not remember and path:
                settings().remove("data/model")
                self.statusBar().showMessage(f"Could not reopen {label}: {exc}", 10000)
                QTimer.singleShot(0, lambda: self.open_model(None, remember=False))
                return
            workers.show_error(self, "Cannot open the model", exc)
            self._show_model_status(self.state.predictor)

        self._busy_messages[self.model_task] = f"Loading {label}…"
        return self.model_task.start(work, path, on_result=loaded, on_error=failed)

    def _show_model_status(self, predictor) -> None:
        self.model_label.setText(f"Model: {predictor.describe()}" if predictor else "Model: none")
        self._mark_loaded("model")

    # ------------------------------------------------------------------ background tasks
    def _set_busy_message(self, slot: workers.TaskSlot, text: str) -> None:
        self._busy_messages[slot] = text
        self._show_busy()

    def _show_busy(self, *_args) -> None:
        if self._stopping:
            return
        busy = [slot for slot in (self.model_task, self.dataset_task) if slot.busy]
        if busy:
            self.busy_label.setText(self._busy_messages.get(busy[0], ""))
            self.busy_progress.setValue(int(busy[0].progress * 100))
            self.busy_progress.show()
        else:
            self.busy_label.clear()
            self.busy_progress.hide()

    # ------------------------------------------------------------------ cross-tab requests
    def _evaluate_now(self) -> None:
        self.show_tab("Evaluation")
        self.evaluation_tab.evaluate()

    def _browse_personal(self) -> None:
        self.dataset_tab.show_personal()
        self.show_tab("Dataset")

    # ------------------------------------------------------------------ menu actions
    def _ask_dataset(self) -> None:
        from mnist_desktop.gui.dialogs import ask_dataset_path

        path = ask_dataset_path(self)
        if path:
            self.open_dataset(path)

    def _ask_model(self) -> None:
        from mnist_desktop.gui.dialogs import MODEL_FILTER

        path, _ = QFileDialog.getOpenFileName(self, "Open model", str(Path.home()), MODEL_FILTER)
        if path:
            self.open_model(path)

    def _ask_save_model(self) -> None:
        self.training_tab.save_model_as()

    def _reset_defaults(self) -> None:
        self.open_dataset(None)
        self.open_model(None)

    def _report_problem(self) -> QMessageBox:
        """Where the log file is (what a bug report needs), with a button that opens its folder."""
        from PySide6.QtCore import Qt, QUrl
        from PySide6.QtGui import QDesktopServices

        from mnist_desktop.logs import log_file

        path = log_file()
        box = QMessageBox(self)
        box.setObjectName("reportProblemDialog")
        box.setWindowTitle("Report a problem")
        box.setText("Please describe what you did and what happened, and attach the log file:")
        box.setInformativeText(str(path))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
        open_folder.clicked.disconnect()
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()
        return box

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", about_text())

    # ------------------------------------------------------------------ closing
    def is_stopping(self) -> bool:
        """True from a confirmed close until the window is gone."""
        return self._stopping

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Closing asks first when work would be lost, then stops every task and closes as soon as
        they have ended (one batch or one frame): the window stays responsive and says so meanwhile,
        instead of freezing while the threads are joined."""
        if self._stopped:
            super().closeEvent(event)
            return
        if not self._stopping:
            if not self.training_tab.confirm_close():
                event.ignore()
                return
            self._stopping = True
            for tab in (self.training_tab, self.evaluation_tab, self.draw_tab, self.camera_tab, self.dataset_tab):
                tab.shutdown()
            for slot in self.findChildren(workers.TaskSlot):
                slot.cancel()
        if self._running_workers():
            event.ignore()
            self._show_stopping()
            return
        self._stop_poll.stop()
        self._stopped = True
        stored = settings()
        stored.setValue("window/geometry", self.saveGeometry())
        stored.setValue("window/tab", self.tabs.currentIndex())
        stored.sync()
        super().closeEvent(event)

    def _running_workers(self) -> list[workers.Worker]:
        """The threads of this window's tasks (its own and its tabs') that have not ended yet."""
        return [worker for slot in self.findChildren(workers.TaskSlot) for worker in slot.running_workers()]

    def _show_stopping(self) -> None:
        self.setWindowTitle(f"{APP_NAME}: stopping…")
        self.busy_label.setText("Stopping the background work, then closing…")
        self.busy_progress.setRange(0, 0)  # busy, no end known
        self.busy_progress.show()
        self.tabs.setEnabled(False)
        self.menuBar().setEnabled(False)
        self._stop_poll.start()

    def _close_when_stopped(self) -> None:
        if not self._running_workers():
            self._stop_poll.stop()
            self.close()


def about_text() -> str:
    import platform

    import numpy
    from PySide6 import __version__ as pyside_version

    from mnist_desktop import __version__

    versions = [f"MNIST Desktop {__version__}", f"Python {platform.python_version()}",
                f"PySide6 {pyside_version}", f"NumPy {numpy.__version__}"]
    for module, title in (("cv2", "OpenCV"), ("ai_edge_litert", "LiteRT"), ("tensorflow", "TensorFlow"),
                          ("keras", "Keras")):
        loaded = sys.modules.get(module)
        version = getattr(loaded, "__version__", None) if loaded else None
        if version:
            versions.append(f"{title} {version}")
        elif module in ("tensorflow", "keras"):
            versions.append(f"{title}: loads when you first train")
    return (
        f"<h3>{APP_NAME}</h3>"
        "<p>Handwritten digit recognition you can explore, train, evaluate and use: draw digits with the "
        "mouse or hold them up to a camera.</p>"
        f"<p>{'<br>'.join(versions)}</p>"
        "<p><b>MNIST</b>: Yann LeCun, Corinna Cortes and Christopher J. C. Burges, <i>The MNIST database of "
        "handwritten digits</i>, distributed under Creative Commons Attribution-Share Alike 3.0. "
        "Fashion-MNIST: Zalando Research, MIT licence.</p>"
        "<p>MNIST Desktop is free software under the MIT licence.</p>"
    )


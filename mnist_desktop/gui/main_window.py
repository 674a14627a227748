"""The main window: tabs, menus, status bar, settings. Thin on purpose: each tab is its own module,
and anything slow runs in a worker (`gui/workers.py`) after the window is on screen."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QByteArray, QEvent, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
)

from mnist_desktop.gui import persist, recent, theme, workers
from mnist_desktop.gui.settings import APP_NAME, app_icon, settings
from mnist_desktop.gui.state import AppState
from mnist_desktop.gui.widgets.progress import ProgressBar

TAB_TITLES = ("Dataset", "Training", "Evaluation", "Draw", "Camera")
MODEL_SUFFIXES = (".keras", ".h5", ".tflite")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".pgm", ".ppm")
PROJECT_URL = "https://github.com/mnist-desktop/mnist-desktop"
FIRST_PAINT_FALLBACK_MS = 400


class _FirstPaint(QObject):
    """Calls ``then`` once, right after the first widget of the app has been painted."""

    def __init__(self, then, parent: QObject) -> None:
        super().__init__(parent)  # owned by the window: no parentless wrapper left to the collector
        self._then = then

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            QTimer.singleShot(0, then)
        return False


class MainWindow(QMainWindow):
    """``MainWindow()`` returns at once; the data set and the model load in the background and
    ``ready`` fires when both are in (or failed with a message)."""

    ready = Signal()

    def __init__(self, dataset: str | None = None, model: str | None = None, *, restore: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        if restore:  # the remembered light/dark choice, before anything paints
            theme.manager().set_choice(str(settings().value(theme.SETTING, "system") or "system"))
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
            persist.restore(self, stored)
        else:
            self.resize(1280, 820)
        dataset = dataset or (stored.value("data/dataset") if restore else None) or None
        model = model or (stored.value("data/model") if restore else None) or None
        # After the first paint: loading threads (NumPy, LiteRT) would compete with it for the GIL.
        # A window that is never shown starts them anyway, a moment later.
        self._initial_loads = (dataset, model)
        self._first_paint = _FirstPaint(self._start_initial_loads, self)
        QApplication.instance().installEventFilter(self._first_paint)
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self, self._start_initial_loads)

    def _start_initial_loads(self) -> None:
        if self._initial_loads is None:
            return
        dataset, model = self._initial_loads
        self._initial_loads = None
        QApplication.instance().removeEventFilter(self._first_paint)
        self.open_dataset(dataset, remember=False)
        self.open_model(model, remember=False)

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
        self.busy_progress = ProgressBar()
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
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self._fill_recent()
        file_menu.addSeparator()
        self._action(file_menu, "Reset to &bundled MNIST and shipped model", self._reset_defaults)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = menu.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo stroke", self._undo, QKeySequence.StandardKey.Undo)
        self.clear_action = self._action(edit, "C&lear drawing", self._clear, "Ctrl+Backspace")
        edit.addSeparator()
        self.copy_reading_action = self._action(edit, "&Copy reading", self.copy_reading, QKeySequence.StandardKey.Copy)
        self.copy_image_action = self._action(edit, "Copy &image", self.copy_image, "Ctrl+Shift+C")

        view = menu.addMenu("&View")
        for index, title in enumerate(TAB_TITLES):
            # Dataset and Draw both start with D: each entry gets a letter of its own.
            text = "D&raw" if title == "Draw" else f"&{title}"
            self._action(view, text, lambda _=False, i=index: self.tabs.setCurrentIndex(i), f"Ctrl+{index + 1}")
        # QTabWidget switches on Ctrl+Tab only (and the innermost tabs take it); browsers' Ctrl+PgDown/PgUp too.
        self._action(view, "&Next tab", lambda: self._step_tab(1), "Ctrl+PgDown")
        self._action(view, "&Previous tab", lambda: self._step_tab(-1), "Ctrl+PgUp")
        view.addSeparator()
        theme_menu = view.addMenu("T&heme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key, text in theme.CHOICES:
            action = QAction(text, self, checkable=True)
            action.setChecked(theme.manager().choice == key)
            action.triggered.connect(lambda _=False, k=key: theme.choose(k))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[key] = action

        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "&User guide", self._user_guide, QKeySequence.StandardKey.HelpContents)
        self.report_problem_action = self._action(help_menu, "&Report a problem…", self.report_problem)
        help_menu.addSeparator()
        self._action(help_menu, "&About MNIST Desktop", self._about)
        self._action(help_menu, "About &Qt", QApplication.aboutQt)

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

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

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
            if path:
                recent.add("dataset", path)
                self._fill_recent()

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
            # The permanent "Model: …" label says it; a second "ready" message would repeat the name.
            self.state.set_model(predictor, path)
            if remember:
                settings().setValue("data/model", path or "")
            if path:
                recent.add("model", path)
                self._fill_recent()

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

        path, _ = QFileDialog.getOpenFileName(self, "Open model", recent.start_folder(), MODEL_FILTER)
        if path:
            self.open_model(path)

    def _ask_save_model(self) -> None:
        self.training_tab.save_model_as()

    def _reset_defaults(self) -> None:
        self.open_dataset(None)
        self.open_model(None)

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", about_text())

    def _user_guide(self) -> None:
        readme = Path(__file__).resolve().parents[2] / "README.md"
        url = QUrl.fromLocalFile(str(readme)) if readme.is_file() else QUrl(f"{PROJECT_URL}#readme")
        QDesktopServices.openUrl(url)

    def report_problem(self) -> str:
        """What a bug report needs: the versions and the last error go to the clipboard, and a box
        says where to report and where the log file to attach is (a button opens its folder)."""
        from mnist_desktop.gui.settings import last_error
        from mnist_desktop.logs import log_file

        path = log_file()
        text = ("\n".join(versions()) + "\n\nLast error:\n" + (last_error() or "none in this session")
                + f"\n\nLog file: {path}")
        QGuiApplication.clipboard().setText(text)
        box = QMessageBox(self)
        box.setObjectName("reportProblemDialog")
        box.setWindowTitle("Report a problem")
        box.setText("The versions and the last error are on the clipboard: paste them into a new issue at "
                    f"{PROJECT_URL}/issues with what you did just before, and attach the log file:")
        box.setInformativeText(str(path))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
        open_folder.clicked.disconnect()
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        box.addButton(QMessageBox.StandardButton.Close)
        box.open()
        return text

    # ------------------------------------------------------------------ edit
    def _current_tab(self):
        return self.tabs.currentWidget()

    def _undo(self) -> None:
        self.show_tab("Draw")
        self.draw_tab.canvas.undo()

    def _clear(self) -> None:
        self.show_tab("Draw")
        self.draw_tab.canvas.clear()

    def copy_reading(self) -> str:
        """The reading of the Camera tab when it is shown, else the Draw tab's."""
        label = self.camera_tab.reading_label if self._current_tab() is self.camera_tab else self.draw_tab.prediction_label
        text = label.text()
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied “{text}”", 3000)
        return text

    def copy_image(self) -> None:
        widget = self.camera_tab.view if self._current_tab() is self.camera_tab else self.draw_tab.canvas
        QGuiApplication.clipboard().setPixmap(widget.grab())
        self.statusBar().showMessage("Copied the image", 3000)

    # ------------------------------------------------------------------ recent files and drops
    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        entries = [(kind, path) for kind in recent.KINDS for path in recent.paths(kind)]
        for kind, path in entries:
            action = menu.addAction(f"{Path(path).name}  ({kind})")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, k=kind, p=path: self.open_recent(k, p))
        if entries:
            menu.addSeparator()
            menu.addAction("Clear the list", lambda: (recent.clear(), self._fill_recent()))
        else:
            menu.addAction("No recent files").setEnabled(False)

    def open_recent(self, kind: str, path: str) -> None:
        if not Path(path).exists():
            recent.remove(kind, path)
            self._fill_recent()
            self.statusBar().showMessage(f"{path} is gone; removed it from the list", 8000)
            return
        self.open_path(path, kind)

    def open_path(self, path: str, kind: str | None = None) -> str:
        """Open a data set, a model or an image, wherever it belongs; returns which it was taken for."""
        kind = kind or file_kind(path)
        if kind == "model":
            self.open_model(path)
        elif kind == "image":
            recent.add("image", path)
            self._fill_recent()
            self.draw_tab.classify_file(path)
        else:
            self.open_dataset(path)
        return kind

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        urls = [url for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.open_path(urls[0].toLocalFile())

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
            # Closed before its first paint: nothing is to be loaded any more.
            self._initial_loads = None
            QApplication.instance().removeEventFilter(self._first_paint)
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
        persist.save(self, stored)
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


def file_kind(path: str) -> str:
    """'model', 'image' or 'dataset' (folders, .npz, .csv, IDX files), by the name alone."""
    suffix = Path(path).suffix.lower()
    if suffix in MODEL_SUFFIXES:
        return "model"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return "dataset"


def versions() -> list[str]:
    import platform

    import numpy
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from mnist_desktop import __version__

    found = [f"MNIST Desktop {__version__}", f"Python {platform.python_version()} on {platform.platform()}",
             f"PySide6 {pyside_version} (Qt {qVersion()})", f"NumPy {numpy.__version__}"]
    for module, title in (("cv2", "OpenCV"), ("ai_edge_litert", "LiteRT"), ("tensorflow", "TensorFlow"),
                          ("keras", "Keras")):
        loaded = sys.modules.get(module)
        version = getattr(loaded, "__version__", None) if loaded else None
        if version:
            found.append(f"{title} {version}")
        elif module in ("tensorflow", "keras"):
            found.append(f"{title}: loads when you first train")
    return found


def about_text() -> str:
    versions_found = versions()
    return (
        f"<h3>{APP_NAME}</h3>"
        "<p>Handwritten digit recognition you can explore, train, evaluate and use: draw digits with the "
        "mouse or hold them up to a camera.</p>"
        f"<p>{'<br>'.join(versions_found)}</p>"
        "<p><b>MNIST</b>: Yann LeCun, Corinna Cortes and Christopher J. C. Burges, <i>The MNIST database of "
        "handwritten digits</i>, distributed under Creative Commons Attribution-Share Alike 3.0. "
        "Fashion-MNIST: Zalando Research, MIT licence.</p>"
        "<p>MNIST Desktop is free software under the MIT licence.</p>"
    )


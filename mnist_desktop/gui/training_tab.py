"""The Training tab: pick an architecture and settings, train in a worker thread, watch loss and
accuracy live, stop (or pause) at any moment, then use, save or evaluate the result."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui import persist, recent, theme, workers
from mnist_desktop.gui.settings import settings
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.tables import make_table
from mnist_desktop.gui.widgets.plots import BLUE, GREY, ORANGE, make_plot, pen
from mnist_desktop.gui.widgets.progress import ProgressBar
from mnist_desktop.ml.architectures import ARCHITECTURES, get_architecture
from mnist_desktop.ml.training import SCHEDULES

REFRESH_MS = 66  # curves are redrawn at most 15 times a second, whatever the batch rate
BATCH_SIZES = [32, 64, 128, 256, 512]
LEARNING_RATES = ["0.0003", "0.001", "0.002", "0.003", "0.005", "0.01"]


@dataclass
class RunCurves:
    """Points of one run, in epochs on the x axis."""

    label: str
    batch_x: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    batch_accuracy: list[float] = field(default_factory=list)
    epoch_x: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    items: list = field(default_factory=list)


class TrainingTab(Tab):
    trainingFinished = Signal(object)  # TrainedModel, once the run is over and its result shown

    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self.task = workers.TaskSlot(self, "Training", on_error=self._failed)
        self.save_task = workers.TaskSlot(self, "Saving the model")
        self._train_when_loaded = False
        self._last_progress = None
        self._finished_run = None
        self._pause = threading.Event()
        self._closing = threading.Event()
        self._runs: list[RunCurves] = []
        self._current: RunCurves | None = None
        self._pending: list = []
        self._smooth_loss = self._smooth_accuracy = None
        self._last_means = (0.0, 0.0, 0)
        self._latest_progress = None
        self._stop_requested = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        self.task.busyChanged.connect(self._set_running)
        state.datasetChanged.connect(self._dataset_changed)
        state.trainedChanged.connect(lambda _: self._show_trained())
        state.modelChanged.connect(lambda _: self._show_trained())

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.arch_combo = QComboBox()
        self.arch_combo.setObjectName("archCombo")
        # Long names elide instead of widening the whole settings column.
        self.arch_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.arch_combo.setMinimumContentsLength(18)
        for arch in ARCHITECTURES.values():
            self.arch_combo.addItem(f"{arch.title} ({arch.params:,} parameters)", arch.name)
        self.arch_combo.currentIndexChanged.connect(self._architecture_changed)
        self.arch_description = QLabel()
        self.arch_description.setWordWrap(True)
        theme.muted(self.arch_description)

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("epochsSpin")
        self.epochs_spin.setRange(1, 200)
        self.batch_combo = QComboBox()
        self.batch_combo.setObjectName("batchSizeCombo")
        for size in BATCH_SIZES:
            self.batch_combo.addItem(str(size), size)
        self.lr_combo = QComboBox()
        self.lr_combo.setObjectName("learningRateCombo")
        self.lr_combo.setEditable(True)
        self.lr_combo.addItems(LEARNING_RATES)
        self.schedule_combo = QComboBox()
        self.schedule_combo.setObjectName("scheduleCombo")
        for key, text in SCHEDULES.items():
            self.schedule_combo.addItem(text, key)
        self.augment_check = QCheckBox("Rotate, shift and zoom the images at random")
        self.augment_check.setObjectName("augmentCheck")
        self.patience_spin = QSpinBox()
        self.patience_spin.setObjectName("patienceSpin")
        self.patience_spin.setRange(0, 50)
        self.patience_spin.setSpecialValueText("off")
        self.patience_spin.setSuffix(" epochs")
        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setObjectName("validationSpin")
        self.validation_spin.setRange(0.0, 0.5)
        self.validation_spin.setSingleStep(0.05)
        self.validation_spin.setDecimals(2)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setObjectName("trainSizeSlider")
        self.size_slider.setAccessibleName("Number of training images")
        self.size_slider.valueChanged.connect(self._show_size)
        self.size_label = QLabel()
        self.size_label.setMinimumWidth(110)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_slider, 1)
        size_row.addWidget(self.size_label)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.personal_check = QCheckBox("Add my drawings (from the Draw tab)")
        self.personal_check.setObjectName("personalCheck")
        self.finetune_check = QCheckBox("Start from the current model's weights (fine-tune)")
        self.finetune_check.setObjectName("finetuneCheck")
        # Training logs (CSV + TensorBoard), one subfolder per run, so runs can be compared.
        self.log_check = QCheckBox("Write training logs (TensorBoard) to")
        self.log_check.setObjectName("logDirCheck")
        self.log_folder_button = QPushButton()
        self.log_folder_button.setObjectName("logDirButton")
        self.log_folder_button.clicked.connect(self._choose_log_folder)
        self._set_log_folder(_default_log_folder())
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_check)
        log_row.addWidget(self.log_folder_button, 1)

        # The architecture first: choosing it resets the other fields to its recipe.
        persist.mark(self.arch_combo, "training/architecture", order=0)
        for widget, key in ((self.epochs_spin, "epochs"), (self.batch_combo, "batch_size"),
                            (self.lr_combo, "learning_rate"), (self.schedule_combo, "schedule"),
                            (self.augment_check, "augment"), (self.patience_spin, "patience"),
                            (self.validation_spin, "validation"), (self.seed_spin, "seed"),
                            (self.personal_check, "personal"), (self.finetune_check, "finetune")):
            persist.mark(widget, f"training/{key}")
        self.finetune_label = QLabel()
        self.finetune_label.setObjectName("finetuneLabel")
        self.finetune_label.setWordWrap(True)
        self.finetune_label.hide()
        self.finetune_check.toggled.connect(self._show_fine_tuning)

        form = QFormLayout()
        form.addRow("Architecture", self.arch_combo)
        form.addRow("", self.arch_description)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_combo)
        form.addRow("Learning rate", self.lr_combo)
        form.addRow("Schedule", self.schedule_combo)
        form.addRow("Augmentation", self.augment_check)
        form.addRow("Early stopping", self.patience_spin)
        form.addRow("Validation split", self.validation_spin)
        form.addRow("Training images", size_row)
        form.addRow("Seed", self.seed_spin)
        form.addRow("", self.personal_check)
        form.addRow("", self.finetune_check)
        form.addRow("", self.finetune_label)
        form.addRow("Logs", log_row)
        settings_box = QGroupBox("Settings")
        settings_box.setLayout(form)

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start_training)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setEnabled(False)
        self.pause_button.toggled.connect(self._toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_training)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.pause_button, 1)
        buttons.addWidget(self.stop_button, 1)

        self.use_button = QPushButton("Use it on Draw and Camera")
        self.use_button.setObjectName("useModelButton")
        self.use_button.clicked.connect(self.use_trained)
        self.save_button = QPushButton("Save…")
        self.save_button.setObjectName("saveModelButton")
        self.save_button.clicked.connect(self.save_model_as)
        self.default_button = QPushButton("Make default")
        self.default_button.setObjectName("makeDefaultButton")
        self.default_button.setToolTip("Save it in your data folder and open it every time the app starts")
        self.default_button.clicked.connect(self.make_default)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setObjectName("evaluateTrainedButton")
        self.evaluate_button.clicked.connect(self._evaluate_trained)
        self.result_label = QLabel("Train a model to use, save or evaluate it here.")
        self.result_label.setObjectName("trainResult")
        self.result_label.setWordWrap(True)
        after = QVBoxLayout()
        after.addWidget(self.result_label)
        after_buttons = QGridLayout()  # two by two: four in a row do not fit a narrow window
        for index, button in enumerate((self.use_button, self.evaluate_button, self.save_button, self.default_button)):
            button.setEnabled(False)
            after_buttons.addWidget(button, index // 2, index % 2)
        after.addLayout(after_buttons)
        result_box = QGroupBox("Result")
        result_box.setLayout(after)

        left = QVBoxLayout()
        left.addWidget(settings_box)
        left.addWidget(result_box)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setWidget(left_widget)
        # Wide enough for the form: it scrolls up and down only, never sideways.
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setMinimumWidth(left_widget.minimumSizeHint().width()
                                    + left_scroll.verticalScrollBar().sizeHint().width() + 2 * left_scroll.frameWidth())
        left_scroll.setMaximumWidth(max(520, left_scroll.minimumWidth()))

        self.status_label = QLabel("Ready.")
        self.status_label.setObjectName("trainStatus")
        self.device_label = QLabel("Training on: a GPU when TensorFlow sees one, else the CPU")
        self.device_label.setObjectName("trainDevice")
        self.progress = ProgressBar()
        self.progress.setObjectName("trainProgress")
        self.progress.setRange(0, 1000)
        self.progress.setFormat("")
        self.progress.setTextVisible(True)
        self.loss_plot = make_plot("Loss", left="cross-entropy", bottom="epoch", object_name="lossPlot")
        self.accuracy_plot = make_plot("Accuracy", left="accuracy", bottom="epoch", object_name="accuracyPlot")
        # One legend for both charts, above them: it never covers a curve and never gets cut.
        self.legend_label = QLabel("  ".join(
            f"<span style='color:{colour}'>{mark}</span> {name}"
            for colour, mark, name in ((BLUE, "━", "training (smoothed)"), (ORANGE, "●", "validation, each epoch"),
                                       (GREY, "━", "earlier runs"))))
        self.legend_label.setObjectName("trainingLegend")
        self.accuracy_plot.getPlotItem().setYRange(0.8, 1.0)
        self.accuracy_plot.getPlotItem().enableAutoRange(y=False)
        self.table = make_table(["epoch", "loss", "acc.", "val loss", "val acc.", "time", "LR"])
        for column, full in ((2, "accuracy"), (4, "validation accuracy"), (6, "learning rate")):
            self.table.horizontalHeaderItem(column).setToolTip(full)
        self.table.setObjectName("epochTable")
        self.table.setMaximumHeight(170)

        right = QVBoxLayout()
        right.addWidget(self.device_label)
        right.addWidget(self.status_label)
        right.addWidget(self.progress)
        right.addWidget(self.legend_label)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.accuracy_plot)
        right.addLayout(plots, 1)
        right.addWidget(self.table)

        layout = QHBoxLayout(self)
        # Train / Pause / Stop stay in view under the scrolling settings, at any window height.
        left_column = QVBoxLayout()
        left_column.addWidget(left_scroll, 1)
        left_column.addLayout(buttons)
        layout.addLayout(left_column)
        layout.addLayout(right, 1)
        self._architecture_changed()
        self._dataset_changed(None)

    # ------------------------------------------------------------------ settings
    def _architecture_changed(self) -> None:
        arch = get_architecture(self.arch_combo.currentData())
        self.arch_description.setText(arch.description)
        recipe = arch.recipe
        self.epochs_spin.setValue(recipe.epochs)
        self.batch_combo.setCurrentIndex(max(0, self.batch_combo.findData(recipe.batch_size)))
        self.lr_combo.setCurrentText(f"{recipe.learning_rate:g}")
        self.schedule_combo.setCurrentIndex(max(0, self.schedule_combo.findData(recipe.schedule)))
        self.augment_check.setChecked(recipe.augment)
        self.patience_spin.setValue(recipe.patience)
        self.validation_spin.setValue(recipe.validation_fraction)

    def _dataset_changed(self, dataset) -> None:
        total = len(dataset.x_train) if dataset is not None else 60_000
        lowest = min(1000, total)
        self.size_slider.setRange(lowest, max(total, lowest))
        self.size_slider.setSingleStep(1000)
        self.size_slider.setPageStep(5000)
        self.size_slider.setValue(max(total, lowest))
        self._show_size(self.size_slider.value())
        if dataset is not None and self._train_when_loaded:
            # Train was pressed while the data set was loading: the click was not lost.
            self._train_when_loaded = False
            self.start_training()

    def _show_size(self, value: int) -> None:
        everything = value >= self.size_slider.maximum()
        self.size_label.setText(f"{value:,} (all)" if everything else f"{value:,}")

    def config(self):
        from mnist_desktop.ml.training import TrainingConfig

        try:
            learning_rate = float(self.lr_combo.currentText())
        except ValueError:
            raise ValueError(f"the learning rate {self.lr_combo.currentText()!r} is not a number") from None
        size = self.size_slider.value()
        return TrainingConfig(
            architecture=self.arch_combo.currentData(),
            epochs=self.epochs_spin.value(),
            batch_size=int(self.batch_combo.currentData()),
            learning_rate=learning_rate,
            schedule=self.schedule_combo.currentData(),
            augment=self.augment_check.isChecked(),
            patience=self.patience_spin.value(),
            validation_fraction=round(self.validation_spin.value(), 3),
            train_size=None if size >= self.size_slider.maximum() else size,
            seed=self.seed_spin.value(),
        )

    def _set_running(self, running: bool) -> None:
        for widget in (self.arch_combo, self.epochs_spin, self.batch_combo, self.lr_combo, self.schedule_combo,
                       self.augment_check, self.patience_spin, self.validation_spin, self.size_slider, self.seed_spin,
                       self.personal_check, self.finetune_check, self.log_check, self.log_folder_button,
                       self.train_button):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.pause_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)
        self._show_trained()

    # ------------------------------------------------------------------ running
    @property
    def busy(self) -> bool:
        return self.task.busy

    def start_training(self) -> workers.Task | None:
        """Start a run with the settings shown; pressed while the data set is still loading, the run
        starts as soon as it has loaded."""
        dataset = self.state.dataset
        if dataset is None:
            self._train_when_loaded = True
            self.status_label.setText("Training starts as soon as the data set has loaded…")
            self.train_button.setEnabled(False)
            return None
        try:
            config = self.config()
            config.validate()
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot train with these settings", str(exc))
            return None
        from mnist_desktop.ml.finetune import fine_tune_config, personal_training_data

        extra = personal_training_data() if self.personal_check.isChecked() else None
        initial = None
        before = None
        if self.finetune_check.isChecked():
            from mnist_desktop.ml.architectures import ARCHITECTURES
            from mnist_desktop.paths import default_model

            predictor = self.state.predictor
            current = getattr(predictor, "architecture", None)
            source = self.state.model_path or (default_model() if predictor is not None and
                                                   predictor.path == default_model().with_suffix(".tflite") else None)
            if current not in ARCHITECTURES or source is None or Path(source).suffix not in (".keras", ".h5"):
                QMessageBox.warning(self, "Cannot fine-tune this model",
                                    "Fine-tuning needs the current model's Keras file and its architecture "
                                    "(models saved by MNIST Desktop have both). Untick “Start from the current "
                                    "model's weights” to train from scratch.")
                return None
            # Weights only fit their own architecture; a small learning rate with MNIST mixed in.
            config = fine_tune_config(config, current)
            if current != self.arch_combo.currentData():
                self.arch_combo.blockSignals(True)  # keep the user's other settings as they are
                self.arch_combo.setCurrentIndex(self.arch_combo.findData(current))
                self.arch_combo.blockSignals(False)
                self.arch_description.setText(get_architecture(current).description)
            self._show_fine_tuning(True)
            initial = source
            before = predictor

        self._start_curves(config)
        keyboard = self.train_button.hasFocus()
        self._stop_requested = False
        self._last_progress = None
        self._pause.clear()
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.status_label.setText("Loading TensorFlow… (the first time takes a few seconds)")
        log_dir = None
        if self.log_check.isChecked():
            log_dir = self._log_folder / f"{config.architecture}-{time.strftime('%Y%m%d-%H%M%S')}"
        task = self.task.start(
            _train_in_worker, dataset, config, extra, initial, self._pause, self._closing, log_dir, before,
            on_yielded=self._queue_event, on_status=self._show_status,
            on_result=self._finished, on_cancelled=self._cancelled, on_done=self._done,
        )
        if keyboard:
            self.stop_button.setFocus()  # a keyboard user stops with the same key
        self._timer.start()
        return task

    def _show_status(self, text: str) -> None:
        if text.startswith("Training on: "):
            self.device_label.setText(text)
        self.status_label.setText(text)

    def _set_log_folder(self, folder: Path) -> None:
        self._log_folder = Path(folder)
        # The folder's name only: a full path would widen the settings column; the tooltip has it.
        self.log_folder_button.setText(f"{self._log_folder.name}/…")
        self.log_folder_button.setToolTip(f"{self._log_folder}\nEach run writes a subfolder here; compare runs "
                                          f"with: tensorboard --logdir {self._log_folder}")

    def _choose_log_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Write training logs into", str(self._log_folder))
        if chosen:
            self._set_log_folder(Path(chosen))
            self.log_check.setChecked(True)

    def stop_training(self) -> None:
        if self.task.busy:
            self._stop_requested = True
            self.status_label.setText("Stopping after this batch; keeping the best weights so far…")
            self.stop_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self._pause.clear()
            self.task.request_stop()

    def _toggle_pause(self, paused: bool) -> None:
        if paused:
            self._pause.set()
            self.pause_button.setText("Resume")
            self.status_label.setText("Paused. Resume to carry on, or stop to keep the best weights so far.")
        else:
            self._pause.clear()
            self.pause_button.setText("Pause")
            if self.task.busy:
                self.status_label.setText("Training…")

    def _show_fine_tuning(self, on: bool) -> None:
        from mnist_desktop.ml.finetune import describe_fine_tuning, fine_tune_config

        current = getattr(self.state.predictor, "architecture", None)
        if not on or current is None:
            self.finetune_label.hide()
            return
        try:
            config = fine_tune_config(self.config(), current)
        except (ValueError, KeyError):
            self.finetune_label.hide()
            return
        self.finetune_label.setText(describe_fine_tuning(config, get_architecture(current).title))
        self.finetune_label.show()

    def _finished(self, trained) -> None:
        self.state.set_trained(trained)
        accuracy = trained.evaluation.accuracy if trained.evaluation else None
        score = f"{accuracy:.2%} on the test split" if accuracy is not None else "no test split to score on"
        self.status_label.setText(f"Finished: {score}.")
        self._finished_run = trained  # announced in _done, once the tab is idle and shows the result

    def _show_trained(self) -> None:
        """The result box, from the state: the latest run, and whether it is the model in use."""
        trained = self.state.trained
        for button in (self.use_button, self.save_button, self.default_button, self.evaluate_button):
            button.setEnabled(trained is not None and not self.task.busy)
        if self.task.busy:  # the previous run's result would read as this run's
            self.result_label.setText("Training…")
            return
        if trained is None:
            self.result_label.setText("Train a model to use, save or evaluate it here.")
            return
        result = trained.result
        accuracy = trained.evaluation.accuracy if trained.evaluation else None
        best = f", best epoch {result.best_epoch + 1}" if result.best_epoch is not None else ""
        score = f"{accuracy:.2%} on the test split" if accuracy is not None else "no test split to score on"
        in_use = self.state.uses_trained()
        check = trained.fine_tune
        # Never offer a fine-tuned model that is worse on MNIST; it can still be saved and looked at.
        keeps_mnist = check is None or check.keeps_mnist
        self.use_button.setEnabled(not in_use and not self.task.busy and keeps_mnist)
        self.default_button.setEnabled(not self.task.busy and keeps_mnist)
        self.result_label.setText(
            f"<b>{get_architecture(result.config.architecture).title}</b>: {score} "
            f"({result.stop_reason}{best}, {result.seconds:.0f}\u00a0s). "
            + (f"Fine-tuned: {check.describe()} " if check is not None else "")
            + ("The Draw and Camera tabs use this model now." if in_use else "Use it, save it or evaluate it:"))

    def _failed(self, exc: BaseException) -> None:
        self.status_label.setText(f"Training failed: {exc}")
        workers.show_error(self, "Training failed", exc)

    def _cancelled(self) -> None:
        self.status_label.setText("Stopped before the first batch: there is no model to keep.")

    def _done(self) -> None:
        self._refresh()
        self._timer.stop()
        # The bar keeps where the run got to; the time left means nothing any more.
        p = self._last_progress
        if p is None:
            self.progress.setFormat("")
        elif self._stop_requested:
            self.progress.setFormat(f"stopped in epoch {p.epoch + 1}/{p.epochs}, batch {p.batch}/{p.batches}")
        else:
            self.progress.setValue(self.progress.maximum())
            self.progress.setFormat(f"done: {p.epoch + 1} epoch{'s' if p.epoch else ''}")
        self._show_trained()
        trained, self._finished_run = self._finished_run, None
        if trained is not None:
            self.trainingFinished.emit(trained)

    # ------------------------------------------------------------------ live curves
    def _start_curves(self, config) -> None:
        for run in self._runs:
            self._fade(run)
        arch = get_architecture(config.architecture)
        run = RunCurves(label=f"{arch.title} #{len(self._runs) + 1}")
        loss_train = self.loss_plot.plot([], [], pen=pen(BLUE, 2), name="training (smoothed)")
        loss_val = self.loss_plot.plot([], [], pen=pen(ORANGE, 2), symbol="o", symbolSize=7,
                                       symbolBrush=ORANGE, name="validation")
        acc_train = self.accuracy_plot.plot([], [], pen=pen(BLUE, 2), name="training (smoothed)")
        acc_val = self.accuracy_plot.plot([], [], pen=pen(ORANGE, 2), symbol="o", symbolSize=7,
                                          symbolBrush=ORANGE, name="validation")
        run.items = [loss_train, loss_val, acc_train, acc_val]
        self._runs.append(run)
        self._current = run
        self._pending.clear()
        self._smooth_loss = self._smooth_accuracy = None
        self._last_means = (0.0, 0.0, 0)
        self.table.setRowCount(0)
        self.result_label.setText("Training…")

    def _fade(self, run: RunCurves) -> None:
        """Earlier runs stay on the plots, faded, for comparison."""
        for item in run.items:
            item.setPen(pen(GREY, 1.5, alpha=110))
            if item.opts.get("symbol"):
                item.setSymbolBrush(pen(GREY).color())
                item.setSymbolPen(pen(GREY, 1, alpha=110))

    def _queue_event(self, event) -> None:
        # Arrives for every batch; drawn in batches by the refresh timer.
        self._pending.append(event)

    def _refresh(self) -> None:
        """Take the points that arrived since the last refresh; one setData per curve."""
        from mnist_desktop.ml.training import BatchProgress, EpochRecord

        run = self._current
        if run is None or not self._pending:
            return
        events = self._pending[:]
        self._pending.clear()
        progress = None
        for event in events:
            if isinstance(event, BatchProgress):
                progress = event
                self._add_batch(run, event)
            elif isinstance(event, EpochRecord):
                self._add_epoch(run, event)
        loss_train, loss_val, acc_train, acc_val = run.items
        loss_train.setData(run.batch_x, run.batch_loss)
        acc_train.setData(run.batch_x, run.batch_accuracy)
        loss_val.setData(run.epoch_x, run.val_loss)
        acc_val.setData(run.epoch_x, run.val_accuracy)
        # Zoom to where accuracy is now: the first batches near 10% would squash the interesting part.
        recent = run.batch_accuracy[len(run.batch_accuracy) // 4:] + run.val_accuracy
        if recent:
            self.accuracy_plot.getPlotItem().setYRange(max(0.0, min(recent) - 0.02), 1.0, padding=0)
        if progress is not None:
            self._show_progress(progress)

    def _add_batch(self, run: RunCurves, p) -> None:
        # Keras reports running means over the epoch; recover each batch's own value, then smooth.
        mean_loss, mean_accuracy, seen = self._last_means if p.batch > 1 else (0.0, 0.0, 0)
        batch_loss = p.loss * p.batch - mean_loss * seen
        batch_accuracy = p.accuracy * p.batch - mean_accuracy * seen
        self._last_means = (p.loss, p.accuracy, p.batch)
        alpha = 0.1
        self._smooth_loss = batch_loss if self._smooth_loss is None else (1 - alpha) * self._smooth_loss + alpha * batch_loss
        self._smooth_accuracy = (batch_accuracy if self._smooth_accuracy is None
                                 else (1 - alpha) * self._smooth_accuracy + alpha * batch_accuracy)
        if not (math.isfinite(self._smooth_loss) and math.isfinite(self._smooth_accuracy)):
            return
        run.batch_x.append(p.epoch + p.batch / p.batches)
        run.batch_loss.append(self._smooth_loss)
        run.batch_accuracy.append(min(1.0, max(0.0, self._smooth_accuracy)))

    def _add_epoch(self, run: RunCurves, record) -> None:
        x = record.epoch + 1 if not record.partial else (run.batch_x[-1] if run.batch_x else record.epoch)
        if record.val_loss is not None:
            run.epoch_x.append(x)
            run.val_loss.append(record.val_loss)
            run.val_accuracy.append(record.val_accuracy)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = [f"{record.epoch + 1}{' (stopped)' if record.partial else ''}", f"{record.loss:.4f}",
                 f"{record.accuracy:.2%}",
                 "" if record.val_loss is None else f"{record.val_loss:.4f}",
                 "" if record.val_accuracy is None else f"{record.val_accuracy:.2%}",
                 f"{record.seconds:.1f} s", f"{record.learning_rate:.2g}"]
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, col, item)
        self.table.scrollToBottom()

    def _show_progress(self, p) -> None:
        self._last_progress = p
        self.progress.setValue(int(p.fraction * 1000))
        left = int(p.seconds_left)
        self.progress.setFormat(
            f"epoch {p.epoch + 1}/{p.epochs} · batch {p.batch}/{p.batches} · "
            f"{p.samples_per_second:,.0f} images/s · {left // 60}:{left % 60:02d} left")
        if not self._pause.is_set() and not self._stop_requested:
            self.status_label.setText("Training…")

    # ------------------------------------------------------------------ after training
    def use_trained(self) -> None:
        trained = self.state.trained
        if trained is not None:
            self.state.set_model(trained.predictor, trained.predictor.path)

    def save_model_as(self) -> None:
        trained = self.state.trained
        if trained is None:
            QMessageBox.information(self, "Save model", "Train a model first: the shipped model is already saved.")
            return
        from mnist_desktop.gui.dialogs import KERAS_FILTER

        path, _ = QFileDialog.getSaveFileName(self, "Save model",
                                              str(Path(recent.start_folder()) / f"{trained.result.config.architecture}.keras"),
                                              KERAS_FILTER)
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path, *, make_default: bool = False) -> workers.Task:
        trained = self.state.trained

        def saved(paths) -> None:
            keras_path = paths[0]
            self.status_label.setText(f"Saved {keras_path} (+ .tflite and .json).")
            if make_default:
                settings().setValue("data/model", str(keras_path))
            self.state.set_model(trained.predictor, keras_path)

        self.status_label.setText(f"Saving {path.name}…")
        return self.save_task.start(lambda context: trained.save(path), on_result=saved)

    def make_default(self) -> None:
        from mnist_desktop.paths import user_data_dir

        trained = self.state.trained
        if trained is not None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.save_to(user_data_dir() / "models" / f"{trained.result.config.architecture}-{stamp}.keras",
                         make_default=True)

    def _evaluate_trained(self) -> None:
        if self.state.trained is None:
            return
        self.use_trained()
        self.state.request_evaluation()

    # ------------------------------------------------------------------ closing
    def confirm_close(self) -> bool:
        if not self.task.busy:
            return True
        answer = QMessageBox.question(
            self, "Training is running", "A model is being trained. Stop training and quit?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def shutdown(self) -> None:
        self._timer.stop()
        self._train_when_loaded = False
        if self.task.busy:
            self._closing.set()
            self._pause.clear()
            self.status_label.setText("Stopping…")
        self.task.cancel()
        self.save_task.request_stop()


class _Closing(Exception):
    """Raised in the training thread when the window closes: no time for the rest of the epoch."""


def _default_log_folder() -> Path:
    from mnist_desktop.paths import user_data_dir

    return user_data_dir() / "training-logs"


def _train_in_worker(context, dataset, config, extra, initial_path, pause: threading.Event,
                     closing: threading.Event, log_dir: Path | None = None, before=None):
    """Runs in the worker thread: plain training with hooks wired to the worker's signals."""
    from mnist_desktop.ml.trained import finish
    from mnist_desktop.ml.training import TrainingCancelled, TrainingHooks, train

    def should_stop() -> bool:
        while pause.is_set() and not context.should_stop():
            time.sleep(0.05)
        return context.should_stop()

    initial = None
    if initial_path is not None and Path(initial_path).suffix in (".keras", ".h5"):
        from mnist_desktop.ml.modelio import load_keras_model

        context.status("Loading the current model to fine-tune…")
        initial = load_keras_model(initial_path)
    def on_batch(progress) -> None:
        if closing.is_set():
            # Out of Keras at once: a stop request would still run this epoch's validation.
            raise _Closing()
        context.emit(progress)

    hooks = TrainingHooks(on_status=context.status, on_batch=on_batch, on_epoch=context.emit,
                          should_stop=should_stop)
    try:
        result = train(dataset, config, hooks, extra=extra, initial_weights_from=initial, log_dir=log_dir)
    except (TrainingCancelled, _Closing):
        raise workers.Cancelled() from None
    if closing.is_set():
        raise workers.Cancelled()  # the window is closing: no time for conversion and scoring
    # A run stopped by the user is kept like a finished one.
    trained = finish(result, dataset, status=context.status)
    if before is not None:
        from mnist_desktop.ml.finetune import check_fine_tune

        context.status("Comparing with the model before fine-tuning…")
        trained.fine_tune = check_fine_tune(before, trained.predictor, dataset.x_test, dataset.y_test, extra)
    return trained

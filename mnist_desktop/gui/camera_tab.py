"""The Camera tab: hold handwriting up to a webcam (or open a video or a photo) and watch the digits
being found and read, steadily; tune the ink detection for hard lighting; freeze and save."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from typing import TYPE_CHECKING

from mnist_desktop.core.voting import StableReading
from mnist_desktop.gui import persist, recent, theme, workers
from mnist_desktop.gui.accessibility import announce
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.camera_view import CameraView
from mnist_desktop.gui.widgets.images import gray_pixmap

if TYPE_CHECKING:
    from mnist_desktop.core.capture import FramePacket, LoopControl

POLARITIES = [("auto", "Automatic"), ("dark", "Dark ink on paper"), ("light", "Light ink on a dark board")]


class CameraTab(Tab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self.task = workers.TaskSlot(self, "Camera", on_error=self._failed)
        self.find_task = workers.TaskSlot(self, "Looking for cameras")
        self._control: LoopControl | None = None  # made with the first start: OpenCV loads after first paint
        # Set when the latest loop has released its source: the next one opens the camera after that.
        self._loop_released = threading.Event()
        self._loop_released.set()
        self.packet: FramePacket | None = None
        self.frozen = False
        self.stable = StableReading()
        self._file: tuple[str, str] | None = None  # ("video" | "image", path)
        self._build()
        self.task.busyChanged.connect(self._show_running)
        self.find_task.busyChanged.connect(lambda busy: self.refresh_button.setEnabled(not busy))
        state.modelChanged.connect(self._model_changed)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("cameraSourceCombo")
        self.source_combo.setMinimumWidth(180)
        self.refresh_button = QPushButton("Find cameras")
        self.refresh_button.setToolTip("Try each camera and list the ones that deliver frames")
        self.refresh_button.clicked.connect(self.find_cameras)
        self.video_button = QPushButton("Video file…")
        self.video_button.clicked.connect(self._ask_video)
        self.image_button = QPushButton("Image…")
        self.image_button.clicked.connect(self._ask_image)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("cameraStartButton")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("cameraStopButton")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.loop_check = QCheckBox("Loop video")
        self.loop_check.setObjectName("loopCheck")
        sources = QHBoxLayout()
        sources.addWidget(QLabel("Source"))
        sources.addWidget(self.source_combo)
        sources.addWidget(self.refresh_button)
        sources.addWidget(self.video_button)
        sources.addWidget(self.image_button)
        sources.addWidget(self.loop_check)
        sources.addStretch(1)
        sources.addWidget(self.start_button)
        sources.addWidget(self.stop_button)

        self.view = CameraView()
        self.view.setObjectName("cameraView")
        self.view.roiChanged.connect(self._roi_changed)

        self.reading_label = QLabel("–")
        self.reading_label.setObjectName("cameraReading")
        self.reading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.sized(self.reading_label, 40, QFont.Weight.Bold)
        self.reading_label.setAccessibleName("steady reading")
        self.frame_label = QLabel()
        self.frame_label.setObjectName("frameReading")
        self.frame_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fps_label = QLabel()
        self.fps_label.setObjectName("cameraFps")
        self.status_label = QLabel("No camera found yet: press “Find cameras”, or open a video or an image.")
        self.status_label.setObjectName("cameraStatus")
        self.status_label.setWordWrap(True)

        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setObjectName("freezeButton")
        self.freeze_button.setCheckable(True)
        self.freeze_button.toggled.connect(self._toggle_freeze)
        self.snapshot_button = QPushButton("Save snapshot…")
        self.snapshot_button.setObjectName("snapshotButton")
        self.snapshot_button.clicked.connect(lambda: self.save_snapshot())
        self.clear_roi_button = QPushButton("Read the whole view")
        self.clear_roi_button.clicked.connect(lambda: self.view.set_roi(None))

        self.polarity_combo = QComboBox()
        self.polarity_combo.setObjectName("polarityCombo")
        for key, text in POLARITIES:
            self.polarity_combo.addItem(text, key)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setObjectName("thresholdSlider")
        self.threshold_slider.setAccessibleName("Ink threshold")
        self.threshold_slider.setRange(0, 120)
        self.threshold_slider.setToolTip("0 = automatic (Otsu). Higher: only stronger ink counts.")
        self.threshold_value = QLabel("auto")
        self.blur_slider = QSlider(Qt.Orientation.Horizontal)
        self.blur_slider.setObjectName("blurSlider")
        self.blur_slider.setAccessibleName("Blur")
        self.blur_slider.setRange(1, 9)
        self.blur_slider.setSingleStep(2)
        self.blur_slider.setValue(3)
        self.blur_value = QLabel("3")
        self.mask_check = QCheckBox("Show the ink mask")
        self.mask_check.setObjectName("maskCheck")
        self.mask_view = QLabel()
        self.mask_view.setObjectName("maskView")
        self.mask_view.setFixedSize(240, 180)
        self.mask_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mask_view.setStyleSheet("background: black;")
        self.mask_view.hide()
        self.mask_check.toggled.connect(self.mask_view.setVisible)
        for widget, key in ((self.polarity_combo, "polarity"), (self.threshold_slider, "threshold"),
                            (self.blur_slider, "blur"), (self.mask_check, "show_mask")):
            persist.mark(widget, f"camera/{key}")
        for widget in (self.polarity_combo, self.threshold_slider, self.blur_slider):
            signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.valueChanged
            signal.connect(self._settings_changed)

        row = QHBoxLayout()
        row.addWidget(self.threshold_slider)
        row.addWidget(self.threshold_value)
        blur_row = QHBoxLayout()
        blur_row.addWidget(self.blur_slider)
        blur_row.addWidget(self.blur_value)
        tuning = QFormLayout()
        tuning.addRow("Ink", self.polarity_combo)
        tuning.addRow("Threshold", row)
        tuning.addRow("Blur", blur_row)
        tuning.addRow("", self.mask_check)
        tuning_box = QGroupBox("Hard lighting? Tune the ink detection")
        tuning_box.setLayout(tuning)

        self.crops_row = QHBoxLayout()
        crops_box = QGroupBox("Digits as the model sees them")
        crops_box.setLayout(self.crops_row)

        side = QVBoxLayout()
        side.addWidget(QLabel("Reading (steady over the last frames)"))
        side.addWidget(self.reading_label)
        side.addWidget(self.frame_label)
        side.addWidget(crops_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.freeze_button)
        buttons.addWidget(self.snapshot_button)
        side.addLayout(buttons)
        side.addWidget(self.clear_roi_button)
        side.addWidget(tuning_box)
        side.addWidget(self.mask_view, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addStretch(1)
        side.addWidget(self.fps_label)

        # A steady width whatever the source or the reading: the picture must not jump sideways.
        side_panel = QWidget()
        side_panel.setObjectName("cameraSidePanel")
        side.setContentsMargins(0, 0, 0, 0)
        side_panel.setLayout(side)
        for label in (self.frame_label, self.fps_label):
            label.setWordWrap(True)
        # It scrolls up and down on a short screen (the ink mask makes it tall), never sideways.
        side_scroll = QScrollArea()
        side_scroll.setObjectName("cameraSideScroll")
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(side_panel)
        side_scroll.setFixedWidth(max(300, side_panel.sizeHint().width()) + side_scroll.verticalScrollBar().sizeHint().width())
        middle = QHBoxLayout()
        middle.addWidget(self.view, 1)
        middle.addWidget(side_scroll)
        layout = QVBoxLayout(self)
        layout.addLayout(sources)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status_label)
        # Opening cameras takes time (and lights their LEDs): only list the devices, and only when
        # this tab is first shown, after it is painted (the listing loads OpenCV).
        self._devices_listed = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._devices_listed:
            self._devices_listed = True
            QTimer.singleShot(0, self, self._list_devices)

    def _list_devices(self) -> None:
        from mnist_desktop.core.frames import camera_candidates

        if self.source_combo.count() == 0:  # a file chosen meanwhile stays chosen
            self._fill_sources(camera_candidates())

    # ------------------------------------------------------------------ sources
    def find_cameras(self) -> workers.Task:
        """Try each camera in a worker (opening one can take a second) and list those that work."""
        from mnist_desktop.core.frames import list_cameras

        self.status_label.setText("Looking for cameras…")

        def found(cameras: list[int]) -> None:
            self._fill_sources(cameras)
            if cameras:
                self.status_label.setText(f"Found {len(cameras)} camera{'s' if len(cameras) > 1 else ''} that work.")

        return self.find_task.start(lambda context: list_cameras(), on_result=found)

    def _fill_sources(self, cameras: list[int]) -> None:
        self.source_combo.clear()
        for index in cameras:
            self.source_combo.addItem(f"Camera {index}", ("camera", index))
        if self._file is not None:
            kind, path = self._file
            self.source_combo.addItem(f"{'Video' if kind == 'video' else 'Image'}: {Path(path).name}", self._file)
        if not cameras:
            self.status_label.setText("No camera found on this computer. Open a video file or an image to read "
                                      "digits from it (or plug a camera in and press “Find cameras”).")
        self._show_running(self.task.busy)

    def use_file(self, path: str, kind: str | None = None) -> None:
        from mnist_desktop.core.frames import VIDEO_SUFFIXES

        kind = kind or ("video" if Path(path).suffix.lower() in VIDEO_SUFFIXES else "image")
        self._file = (kind, path)
        label = f"{'Video' if kind == 'video' else 'Image'}: {Path(path).name}"
        index = self.source_combo.findText(label)
        if index < 0:
            self.source_combo.addItem(label, self._file)
            index = self.source_combo.count() - 1
        self.source_combo.setCurrentIndex(index)
        self._show_running(self.task.busy)

    def _ask_video(self) -> None:
        from mnist_desktop.gui.dialogs import VIDEO_FILTER

        path, _ = QFileDialog.getOpenFileName(self, "Open a video", recent.start_folder(), VIDEO_FILTER)
        if path:
            recent.remember_folder(path)
            self.use_file(path, "video")
            self.start()

    def _ask_image(self) -> None:
        from mnist_desktop.gui.dialogs import IMAGE_FILTER

        path, _ = QFileDialog.getOpenFileName(self, "Open a photo", recent.start_folder(), IMAGE_FILTER)
        if path:
            recent.remember_folder(path)
            self.use_file(path, "image")
            self.start()

    def _make_source(self):
        from mnist_desktop.core.frames import CameraSource, ImageSource, VideoFileSource

        data = self.source_combo.currentData()
        if data is None:
            return None
        kind, value = data
        if kind == "camera":
            return CameraSource(int(value))
        if kind == "video":
            return VideoFileSource(value, loop=self.loop_check.isChecked())
        return ImageSource(value)

    # ------------------------------------------------------------------ running
    @property
    def control(self) -> LoopControl:
        if self._control is None:
            from mnist_desktop.core.capture import LoopControl

            self._control = LoopControl()
        return self._control

    def is_running(self) -> bool:
        return self.task.busy

    def start(self, source=None) -> workers.Task | None:
        """Start reading from ``source`` (a FrameSource) or from the one chosen in the combo box.
        A loop already running is replaced: nothing of it reaches the view any more."""
        from mnist_desktop.core.capture import LoopControl

        source = source or self._make_source()
        if source is None:
            self.status_label.setText("Choose a source first.")
            return None
        # A loop of its own: the old one may still be finishing its last frame.
        self._control = LoopControl(predictor=self.state.predictor)
        self._settings_changed()
        self.control.consumed.set()
        self._clear_reading()
        self.frozen = False
        self.freeze_button.setChecked(False)
        self.status_label.setText(f"Starting {source.name}…")
        self.view.show_message(f"Opening {source.name}…")
        previous, released = self._loop_released, threading.Event()
        self._loop_released = released
        return self.task.start(
            _read_after, previous, released, source, self.control, on_yielded=self._show_packet,
            on_status=self.status_label.setText, on_result=lambda why: self._ended(why, source.name),
        )

    def stop(self) -> None:
        if self.task.busy:
            self.task.request_stop()
            self.status_label.setText("Stopping…")

    def _ended(self, why: str, name: str) -> None:
        if why == "ended":
            self.status_label.setText(f"{name} ended. Start again, or tick “Loop video”.")
        else:
            self.status_label.setText("Stopped.")

    def _failed(self, exc: BaseException) -> None:
        from mnist_desktop.core.errors import MnistDesktopError

        text = str(exc) if isinstance(exc, MnistDesktopError) else f"{type(exc).__name__}: {exc}"
        self._clear_reading()
        self.status_label.setText(text)
        self.view.show_message(text)
        if not isinstance(exc, MnistDesktopError):
            workers.show_error(self, "The camera stopped", exc)

    def _show_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running and self.source_combo.count() > 0)
        self.stop_button.setEnabled(running)

    def _model_changed(self, predictor) -> None:
        # Hot swap: the running loop picks the new model up with its next frame.
        if self._control is not None:
            self._control.predictor = predictor

    def _settings_changed(self, *_args) -> None:
        threshold = self.threshold_slider.value()
        blur = self.blur_slider.value() | 1
        self.threshold_value.setText("auto" if threshold == 0 else str(threshold))
        self.blur_value.setText(str(blur))
        if self._control is None:
            return  # not started yet: start() hands these over
        from mnist_desktop.core.camera_ink import InkSettings

        self._control.settings = InkSettings(roi=self.view.roi, polarity=self.polarity_combo.currentData(),
                                            threshold=threshold, blur=blur)

    def _roi_changed(self, roi) -> None:
        self._settings_changed()
        self.stable.clear()
        self.status_label.setText("Reading only the marked area (right-click the view to read it all)." if roi
                                  else "Reading the whole view.")

    # ------------------------------------------------------------------ display
    def _show_packet(self, packet: FramePacket) -> None:
        self.control.consumed.set()
        if self.frozen:
            return
        self.packet = packet
        self.view.show_frame(packet.annotated)
        text = packet.page.text
        steady = self.stable.update(text)
        self.reading_label.setText(steady if steady else ("…" if steady is None else "no digits"))
        if steady:
            announce(self.reading_label, f"Camera reads {steady}")
        unsure = sum(not r.sure for r in packet.page.digits)
        others = len(packet.page.readings) - len(packet.page.digits)
        notes = [f"{unsure} unsure"] * bool(unsure) + [f"{others} not a digit"] * bool(others)
        self.frame_label.setText(f"this frame: {text or '—'}" + (f" ({', '.join(notes)})" if notes else ""))
        self.fps_label.setText(f"{packet.fps:.0f} frames/s · finding and reading the digits takes "
                               f"{packet.work_ms:.1f} ms a frame")
        if packet.index == 0:
            self.status_label.setText("Reading. Drag on the view to read only part of it.")
        if self.mask_check.isChecked():
            self.mask_view.setPixmap(gray_pixmap(packet.mask).scaled(
                self.mask_view.size(), Qt.AspectRatioMode.KeepAspectRatio))
        self._show_crops(packet)

    def _clear_reading(self) -> None:
        """Nothing of the previous source stays on the panel: a new one (or one that fails) starts blank."""
        self.stable.clear()
        self.packet = None
        self.reading_label.setText("–")
        self.frame_label.setText("")
        self.fps_label.setText("")
        self.mask_view.clear()
        while self.crops_row.count():
            item = self.crops_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def _show_crops(self, packet: FramePacket) -> None:
        while self.crops_row.count():
            item = self.crops_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for reading, stages in list(zip(packet.page.readings, packet.page.stages, strict=True))[:8]:
            picture = QLabel()
            picture.setPixmap(gray_pixmap(stages.result, 48))
            picture.setToolTip("not a digit" if reading.not_digit else f"{reading.digit}: {reading.confidence:.1%}")
            self.crops_row.addWidget(picture)
        self.crops_row.addStretch(1)

    def _toggle_freeze(self, frozen: bool) -> None:
        self.frozen = frozen
        self.freeze_button.setText("Resume" if frozen else "Freeze")
        if frozen:
            self.status_label.setText("Frozen: save a snapshot, or resume.")

    def save_snapshot(self, folder: str | Path | None = None) -> Path | None:
        """The frame with its overlays, the raw frame, and every digit (crop and 28x28 input)."""
        from mnist_desktop.core.capture import write_snapshot
        from mnist_desktop.paths import user_data_dir

        packet = self.packet
        if packet is None:
            self.status_label.setText("Nothing to save yet: start a source first.")
            return None
        if folder is None:
            default = user_data_dir() / "snapshots"
            default.mkdir(parents=True, exist_ok=True)
            chosen = QFileDialog.getExistingDirectory(self, "Save the snapshot into", str(default))
            if not chosen:
                return None
            folder = chosen
        try:
            target = write_snapshot(packet, Path(folder))
        except OSError as exc:
            workers.show_error(self, "Cannot save the snapshot", exc)
            return None
        self.status_label.setText(f"Snapshot saved in {target} ({len(packet.page.readings)} digits).")
        return target

    # ------------------------------------------------------------------ closing
    def shutdown(self) -> None:
        self.task.cancel()
        self.find_task.cancel()


def _read_after(context, previous: threading.Event, released: threading.Event, source, control: LoopControl) -> str:
    """The capture loop, once the previous loop has let go of its source (the same camera cannot be
    opened twice); waits in this thread, never in the GUI's."""
    from mnist_desktop.core.capture import capture_loop

    try:
        while not previous.wait(0.05):
            context.check()
        return capture_loop(context, source, control)
    finally:
        released.set()


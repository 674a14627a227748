"""The Draw tab: draw digits with the mouse (or a pen, or a finger) and see them read live, with
all ten probabilities, the preprocessing stages, an optional saliency overlay, and a way to teach
the app when it reads a drawing wrong."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.core.dataset import NUM_CLASSES
from mnist_desktop.gui import persist, recent, theme, workers
from mnist_desktop.gui.accessibility import announce
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.draw_canvas import DrawCanvas
from mnist_desktop.gui.widgets.images import gray_pixmap
from mnist_desktop.gui.widgets.pixel_view import PixelView
from mnist_desktop.gui.widgets.prob_bars import ProbabilityBars

if TYPE_CHECKING:
    from mnist_desktop.core.reading import PageReading

LIVE_DEBOUNCE_MS = 40  # while drawing: read at most ~25 times a second
STAGE_SIZE = 72
# Why the Teach buttons are (not) available, said where they are.
TEACH_ONE = "Read wrong? Press the digit you drew (or its key); the drawing is kept to train on later:"
TEACH_NOTHING = "Draw one digit, then press what it is here (or its key) to keep it for training:"
TEACH_SEVERAL = "Teaching takes one digit at a time: clear the canvas and draw a single digit to teach it."


def _stage_label(title: str) -> tuple[QLabel, QWidget]:
    picture = QLabel()
    picture.setFixedSize(STAGE_SIZE, STAGE_SIZE)
    picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
    picture.setStyleSheet("background: black;")  # MNIST's own black field, in either theme
    picture.setFrameShape(QFrame.Shape.Box)
    caption = QLabel(title)
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    theme.muted(caption, small=True)
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addWidget(caption)
    return picture, box


class DrawTab(Tab):
    readingShown = Signal(str)  # the text shown, after every reading (tests wait on it)

    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self.page: PageReading | None = None
        self.last_latency_ms = 0.0
        self._live = QTimer(self)
        self._live.setSingleShot(True)
        self._live.setInterval(LIVE_DEBOUNCE_MS)
        self._live.timeout.connect(self.read_now)
        self._build()
        state.modelChanged.connect(self._model_changed)
        state.personalChanged.connect(self._update_personal_count)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.canvas = DrawCanvas()
        self.canvas.setObjectName("drawCanvas")
        self.canvas.strokeChanged.connect(self._live.start)
        self.canvas.strokeFinished.connect(self._released)
        self.canvas.cleared.connect(self._cleared)
        self.canvas.fileDropped.connect(self.classify_file)

        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setToolTip("Clear the canvas (Esc or Delete)")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setToolTip("Take back the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.pen_slider = QSlider(Qt.Orientation.Horizontal)
        self.pen_slider.setObjectName("penWidthSlider")
        self.pen_slider.setAccessibleName("Pen width")
        self.pen_slider.setRange(2, 48)
        self.pen_slider.setValue(int(self.canvas.pen_width))
        self.pen_slider.valueChanged.connect(self._pen_changed)
        persist.mark(self.pen_slider, "draw/pen_width")
        self.pen_label = QLabel()
        self._pen_changed(self.pen_slider.value())
        self.theme_check = QCheckBox("Light canvas")
        self.theme_check.setObjectName("lightThemeCheck")
        self.theme_check.setToolTip("Dark ink on white; the model still sees MNIST's white on black")
        self.theme_check.toggled.connect(self.canvas.set_light_theme)
        self.saliency_check = QCheckBox("Show what mattered")
        self.saliency_check.setObjectName("saliencyCheck")
        self.saliency_check.setToolTip("Colour the parts of the drawing the reading depended on most "
                                       "(occlusion: each part is hidden in turn and the drop in confidence measured)")
        self.saliency_check.toggled.connect(lambda _: self.read_now())
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Read an image file the same way (or drop one on the canvas)")
        self.open_button.clicked.connect(lambda: self.classify_file())

        tools = QHBoxLayout()
        tools.addWidget(self.clear_button)
        tools.addWidget(self.undo_button)
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_slider, 1)
        tools.addWidget(self.pen_label)
        options = QHBoxLayout()
        options.addWidget(self.theme_check)
        options.addWidget(self.saliency_check)
        options.addStretch(1)
        options.addWidget(self.open_button)
        left = QVBoxLayout()
        left.addWidget(_Square(self.canvas), 1)
        left.addLayout(tools)
        left.addLayout(options)

        self.prediction_label = QLabel()
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setAccessibleName("Reading of the drawing")
        theme.sized(self.prediction_label, 30, QFont.Weight.DemiBold)
        self.prediction_label.setWordWrap(True)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("predictionHint")
        self.hint_label.setWordWrap(True)
        self.bars = ProbabilityBars()
        self.bars.setObjectName("probabilityBars")

        self.crop_picture, crop_box = _stage_label("ink, cropped")
        self.fit_picture, fit_box = _stage_label("fitted in 20x20")
        self.final_view = PixelView(annotate=False)
        self.final_view.setObjectName("modelInputView")
        self.final_view.setFixedSize(112, 112)
        self.final_view.setToolTip("What the model reads: 28x28, centre of mass in the middle. Hover for values.")
        final_caption = QLabel("28x28 input (hover: pixel values)")
        theme.muted(final_caption, small=True)
        self.hover_label = QLabel(" ")
        theme.muted(self.hover_label, small=True)
        self.final_view.hovered.connect(lambda r, c, v: self.hover_label.setText(f"row {r}, column {c}: {v}"))
        stages = QHBoxLayout()
        stages.addWidget(crop_box, 0, Qt.AlignmentFlag.AlignTop)
        stages.addWidget(QLabel("→"))
        stages.addWidget(fit_box, 0, Qt.AlignmentFlag.AlignTop)
        stages.addWidget(QLabel("→"))
        final_box = QVBoxLayout()
        final_box.addWidget(self.final_view)
        final_box.addWidget(final_caption)
        final_box.addWidget(self.hover_label)
        stages.addLayout(final_box)
        stages.addStretch(1)
        stages_group = QGroupBox("What the model sees (prepared like MNIST)")
        stages_group.setLayout(stages)
        self.digits_row = QHBoxLayout()
        self.digits_row.setSpacing(6)
        self.digits_group = QGroupBox("Digits found, left to right")
        self.digits_group.setLayout(self.digits_row)
        # Several digits: their row takes the place of the first digit's stages, so nothing above
        # or below moves (the bars keep their spacing).
        self.details = QStackedWidget()
        self.details.addWidget(stages_group)
        self.details.addWidget(self.digits_group)

        self.teach_label = QLabel(TEACH_NOTHING)
        self.teach_label.setWordWrap(True)
        teach_buttons = QHBoxLayout()
        teach_buttons.setSpacing(2)
        self.teach_buttons: list[QPushButton] = []
        for d in range(NUM_CLASSES):
            button = QPushButton(str(d))
            button.setObjectName(f"teach{d}")
            button.setAccessibleName(f"Teach: {d}")
            button.setToolTip(f"Save this drawing as a {d} (or press {d} on the Draw tab)")
            button.setFixedWidth(32)
            button.clicked.connect(lambda _=False, digit=d: self.teach(digit))
            # The digit keys teach too, anywhere on this tab (nothing here takes typed text).
            QShortcut(QKeySequence(str(d)), self, lambda digit=d: self._teach_key(digit),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.teach_buttons.append(button)
            teach_buttons.addWidget(button)
        teach_buttons.addStretch(1)
        self.personal_label = QLabel()
        self.personal_label.setObjectName("personalLabel")
        self.personal_label.setWordWrap(True)
        self.reread_button = QPushButton("Re-read my drawings")
        self.reread_button.setObjectName("rereadButton")
        self.reread_button.setToolTip("Read every drawing you saved with the current model: is it getting better?")
        self.reread_button.clicked.connect(self.reread_personal)
        self.browse_button = QPushButton("Browse them")
        self.browse_button.clicked.connect(self._browse_personal)
        personal_buttons = QHBoxLayout()
        personal_buttons.addWidget(self.reread_button)
        personal_buttons.addWidget(self.browse_button)
        personal_buttons.addStretch(1)
        teach = QVBoxLayout()
        teach.addWidget(self.teach_label)
        teach.addLayout(teach_buttons)
        teach.addWidget(self.personal_label)
        teach.addLayout(personal_buttons)
        teach_group = QGroupBox("Teach it")
        teach_group.setLayout(teach)

        right = QVBoxLayout()
        right.addWidget(self.prediction_label)
        right.addWidget(self.hint_label)
        right.addWidget(self.bars, 1)
        right.addWidget(self.details)
        right.addWidget(teach_group)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._show(None)
        self._update_personal_count()

    def _pen_changed(self, value: int) -> None:
        self.canvas.pen_width = float(value)
        self.pen_label.setText(f"{value} px")

    # ------------------------------------------------------------------ reading
    def _model_changed(self, _predictor) -> None:
        self.read_now()
        # A re-read of the saved drawings was the previous model's score.
        self._update_personal_count()

    def _released(self) -> None:
        self._live.stop()
        self.read_now()

    def _cleared(self) -> None:
        self._live.stop()
        self._show(None)

    def read_now(self) -> PageReading | None:
        """Read the canvas now (synchronous: LiteRT takes ~0.1 ms a digit, preprocessing ~1 ms)."""
        predictor = self.state.predictor
        if self.canvas.is_empty():
            self._show(None)
            return None
        if predictor is None:
            self.prediction_label.setText("…")
            self.hint_label.setText("The model is still loading.")
            return None
        from mnist_desktop.core.reading import read_drawing  # with OpenCV: after the first paint

        started = time.perf_counter()
        page = read_drawing(self.canvas.ink(), predictor)
        self._show(page)
        self.last_latency_ms = (time.perf_counter() - started) * 1000
        if self.saliency_check.isChecked() and page.readings and not self.canvas.is_drawing():
            from mnist_desktop.core.saliency import saliency_over_drawing

            self.canvas.set_overlay(saliency_over_drawing(self.canvas.ink(), page, predictor.predict))
        return page

    def _show(self, page: PageReading | None) -> None:
        self.page = page
        one = page is not None and len(page.readings) == 1
        for button in self.teach_buttons:
            button.setEnabled(one)
        self.teach_label.setText(
            TEACH_SEVERAL if page is not None and len(page.readings) > 1 else
            TEACH_NOTHING if not one else TEACH_ONE)
        self._clear_digits_row()
        if page is None or not page.readings:
            self.prediction_label.setText("Draw a digit")
            self.hint_label.setText("" if page is None else "No digit found: the strokes are too small or faint.")
            self.bars.set_probabilities(None)
            for picture in (self.crop_picture, self.fit_picture):
                picture.clear()
            self.final_view.set_image(np.zeros((28, 28), np.uint8))
            self.canvas.set_overlay(None)
            self.readingShown.emit(self.prediction_label.text())
            return
        readings = page.readings
        if len(readings) == 1:
            reading = readings[0]
            if reading.not_digit:
                self.prediction_label.setText("Not a digit")
                self.hint_label.setText(f"This does not look like a digit (digit-likeness {reading.digit_score:.0%}); "
                                        f"the closest digit would be a {reading.digit}.")
            elif reading.sure:
                self.prediction_label.setText(f"{reading.digit} · {reading.confidence:.1%} sure")
                runner = np.argsort(reading.probabilities)[-2]
                self.hint_label.setText(f"Next best: {runner} ({reading.probabilities[runner]:.1%}).")
            else:
                runner = int(np.argsort(reading.probabilities)[-2])
                self.prediction_label.setText(f"{reading.digit}? Not sure: {reading.confidence:.0%}")
                self.hint_label.setText(f"It could also be a {runner} ({reading.probabilities[runner]:.0%}). "
                                        "Try drawing it larger or more clearly.")
        elif not page.digits:
            self.prediction_label.setText("Not a digit")
            self.hint_label.setText(f"None of the {len(readings)} marks looks like a digit.")
            self._fill_digits_row(page)
        else:
            unsure = [r for r in readings if not r.sure and not r.not_digit]
            others = len(readings) - len(page.digits)
            self.prediction_label.setText(page.text + (f" · {len(unsure)} unsure" if unsure else "")
                                          + (f" · {others} not a digit" if others else ""))
            self.hint_label.setText(f"{len(readings)} digits, read left to right; the bars show the "
                                    f"first one. " + ("Unsure about: " + ", ".join(
                                        f"position {readings.index(r) + 1}" for r in unsure) if unsure else ""))
            self._fill_digits_row(page)
        self.bars.set_probabilities(readings[0].probabilities)
        stages = page.stages[0]
        ratio = self.devicePixelRatioF()
        self.crop_picture.setPixmap(_fit(stages.crop, ratio))
        self.fit_picture.setPixmap(_fit(stages.fitted, ratio))
        self.final_view.set_image(stages.result)
        if not self.saliency_check.isChecked():
            self.canvas.set_overlay(None)
        announce(self.prediction_label, f"Read: {self.prediction_label.text()}")
        self.readingShown.emit(self.prediction_label.text())

    def _clear_digits_row(self) -> None:
        while self.digits_row.count():
            item = self.digits_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.details.setCurrentIndex(0)

    def _fill_digits_row(self, page: PageReading) -> None:
        for reading, stages in zip(page.readings, page.stages, strict=True):
            cell = QLabel()
            cell.setPixmap(gray_pixmap(stages.result, 56))
            cell.setToolTip("not a digit" if reading.not_digit else f"{reading.digit}: {reading.confidence:.1%}")
            text = QLabel("not a digit" if reading.not_digit else
                          f"<b>{reading.digit}</b> {reading.confidence:.0%}" + ("" if reading.sure else "?"))
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(cell)
            layout.addWidget(text)
            layout.addStretch(1)  # the caption under its digit, not at the bottom of the row's height
            self.digits_row.addWidget(box)
        self.digits_row.addStretch(1)
        self.details.setCurrentWidget(self.digits_group)

    # ------------------------------------------------------------------ files
    def classify_file(self, path: str | None = None) -> PageReading | None:
        """Read an image file (File -> Classify image…, or a drop on the canvas) through the one
        reading path for pictures (`core.reading.read_frame`, as `predict`, `read` and the Camera
        tab do); the canvas shows the picture's ink."""
        from mnist_desktop.core.errors import DatasetError
        from mnist_desktop.core.imageio import read_image
        from mnist_desktop.core.preprocess import to_gray, to_light_ink
        from mnist_desktop.core.reading import read_frame

        if path is None:
            from mnist_desktop.gui.dialogs import IMAGE_FILTER

            path, _ = QFileDialog.getOpenFileName(self, "Classify an image", recent.start_folder(), IMAGE_FILTER)
            if not path:
                return None
            recent.add("image", path)
        predictor = self.state.predictor
        if predictor is None:
            self.hint_label.setText("The model is still loading.")
            return None
        try:
            picture = read_image(path)
            page = read_frame(picture, predictor)
            light, _ = to_light_ink(to_gray(picture))
        except (DatasetError, ValueError) as exc:
            QMessageBox.warning(self, "Cannot read the image", str(exc))
            return None
        self.state.request_tab("Draw")
        # Shown, not read again: the reading is the picture's, whatever the canvas's size.
        self.canvas.blockSignals(True)
        try:
            self.canvas.set_background(light)
        finally:
            self.canvas.blockSignals(False)
        self._live.stop()
        self._show(page)
        self.hint_label.setText(f"Read from {Path(path).name}. " + self.hint_label.text())
        return page

    # ------------------------------------------------------------------ teaching
    def _teach_key(self, digit: int) -> None:
        if self.teach_buttons[digit].isEnabled():
            self.teach(digit)

    def teach(self, digit: int) -> Path | None:
        from mnist_desktop.core.personal import save_drawing

        page = self.page
        if page is None or len(page.readings) != 1:
            return None
        try:
            path = save_drawing(page.stages[0].result, self.canvas.ink(), digit)
        except OSError as exc:
            workers.show_error(self, "Cannot save the drawing", exc)
            return None
        self.hint_label.setText(f"Saved as a {digit}. Tick “Add my drawings” on the Training tab to learn from it.")
        self.state.personal_saved()
        return path

    def _update_personal_count(self) -> None:
        from mnist_desktop.core.personal import drawing_files

        count = len(drawing_files())
        self.personal_label.setText(f"You have saved {count} drawing{'s' if count != 1 else ''}." if count
                                    else "No drawings saved yet.")
        self.reread_button.setEnabled(count > 0)
        self.browse_button.setEnabled(count > 0)

    def reread_personal(self) -> tuple[int, int] | None:
        predictor = self.state.predictor
        personal = self.state.personal
        if predictor is None or len(personal.x_train) == 0:
            return None
        predicted = predictor.predict(personal.x_train).argmax(axis=1)
        right = int(np.sum(predicted == personal.y_train))
        total = len(personal.y_train)
        wrong = [f"{t}→{p}" for t, p in zip(personal.y_train, predicted, strict=True) if t != p]
        self.personal_label.setText(
            f"{predictor.name} reads {right} of your {total} saved drawings right ({right / total:.0%})."
            + (f" Still wrong: {', '.join(wrong[:12])}{'…' if len(wrong) > 12 else ''}." if wrong else ""))
        return right, total

    def _browse_personal(self) -> None:
        self.state.request_personal_browse()


class _Square(QWidget):
    """Keeps the canvas square and centred, whatever shape the space is: drawings fill it the same
    way in every direction, as on MNIST's square field."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)

    def resizeEvent(self, event) -> None:  # noqa: N802
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        super().resizeEvent(event)


def _fit(image: np.ndarray, ratio: float = 1.0):
    """The stage picture at the screen's own resolution (``ratio``: device pixels per Qt unit):
    drawn at 72 pixels and stretched, it looked blurred on a 4K screen at scale 2."""
    import cv2

    if image.size == 0:
        return gray_pixmap(np.zeros((28, 28), np.uint8), STAGE_SIZE, ratio)
    h, w = image.shape
    side = max(h, w)
    square = np.zeros((side, side), np.uint8)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = image
    pixels = round(STAGE_SIZE * ratio)
    small = cv2.resize(square, (pixels, pixels), interpolation=cv2.INTER_AREA if side > pixels else cv2.INTER_NEAREST)
    pixmap = gray_pixmap(small)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


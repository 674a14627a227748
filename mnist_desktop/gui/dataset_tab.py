"""The Dataset tab: a gallery of the current data set filtered by split and label, each image's pixel
values, and the statistics (computed in a worker when the data set changes)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.core.dataset import UNLABELED
from mnist_desktop.gui import persist, theme, workers
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.eda import StatsView
from mnist_desktop.gui.widgets.gallery import DigitGallery
from mnist_desktop.gui.widgets.pixel_view import PixelView

SPLITS = ("All", "Train", "Test")
ALL_LABELS = 10  # button id of "All" (QButtonGroup reserves -1 for "assign one")


class DatasetTab(Tab):
    drawingsEdited = Signal()  # one of my drawings was deleted or relabelled
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._labels = np.zeros(0, np.uint8)
        self._splits = np.zeros(0, np.uint8)  # 0 = train, 1 = test, per row of _images
        self._class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
        self._stats_worker: workers.Worker | None = None
        self._personal = None  # the user's own drawings, shown instead of the data set when chosen
        self._personal_paths: list = []  # their files, row for row

        self.source_combo = QComboBox()
        self.source_combo.setObjectName("datasetSource")
        self.source_combo.addItems(["Current data set", "My drawings"])
        self.source_combo.setToolTip("Browse the open data set, or the drawings you taught the app on the Draw tab")
        self.source_combo.currentIndexChanged.connect(lambda _: self._rebuild())
        self.split_combo = QComboBox()
        self.split_combo.setObjectName("splitFilter")
        self.split_combo.addItems(SPLITS)
        self.split_combo.currentIndexChanged.connect(lambda _: self._apply_filter())
        self.label_buttons = QButtonGroup(self)
        self.label_buttons.setExclusive(True)
        label_row = QHBoxLayout()
        label_row.setSpacing(2)
        for value, text in [(ALL_LABELS, "All")] + [(d, str(d)) for d in range(10)]:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setObjectName(f"labelFilter{'All' if value == ALL_LABELS else value}")
            button.setFixedWidth(44 if value == ALL_LABELS else 32)
            button.setAccessibleName("Show all labels" if value == ALL_LABELS else f"Show label {text}")
            self.label_buttons.addButton(button, value)
            label_row.addWidget(button)
        self.label_buttons.button(ALL_LABELS).setChecked(True)
        self.label_buttons.idClicked.connect(lambda _: self._apply_filter())
        self.count_label = QLabel()
        self.count_label.setObjectName("galleryCount")
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(28, 112)
        self.size_slider.setValue(56)
        self.size_slider.setFixedWidth(110)
        self.size_slider.setToolTip("Thumbnail size")
        self.size_slider.setAccessibleName("Thumbnail size")
        self.size_slider.valueChanged.connect(lambda v: self.gallery.set_thumb_size(v))

        controls = QHBoxLayout()
        controls.addWidget(self.source_combo)
        controls.addWidget(QLabel("Split"))
        controls.addWidget(self.split_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Label"))
        controls.addLayout(label_row)
        controls.addSpacing(12)
        controls.addStretch(1)
        controls.addWidget(QLabel("Size"))
        controls.addWidget(self.size_slider)

        self.gallery = DigitGallery()
        self.gallery.setObjectName("datasetGallery")
        self.gallery.digitChosen.connect(self._show_image)
        self.gallery.clicked.connect(lambda _: self.show_image_tab())
        self.gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.gallery.customContextMenuRequested.connect(self._drawing_menu)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.gallery, self._delete_current,
                  context=Qt.ShortcutContext.WidgetShortcut)

        self.pixel_view = PixelView()
        self.pixel_view.setObjectName("pixelView")
        self.image_info = QLabel("Click an image in the gallery to see its pixel values.")
        self.image_info.setObjectName("imageInfo")
        self.image_info.setWordWrap(True)
        theme.sized(self.image_info, 12)
        image_page = QWidget()
        image_layout = QVBoxLayout(image_page)
        image_layout.addWidget(self.image_info)
        image_layout.addWidget(self.pixel_view, 1)

        self.stats_view = StatsView()
        self.stats_status = QLabel()
        self.stats_status.setWordWrap(True)  # a long CSV note wraps instead of widening the panel
        stats_page = QWidget()
        stats_layout = QVBoxLayout(stats_page)
        stats_layout.setContentsMargins(0, 0, 0, 0)
        stats_layout.addWidget(self.stats_status)
        stats_layout.addWidget(self.stats_view, 1)

        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("datasetSideTabs")
        self.side_tabs.addTab(stats_page, "Statistics")
        self.side_tabs.addTab(image_page, "Image")

        splitter = QSplitter()
        splitter.setObjectName("datasetSplitter")
        splitter.addWidget(self.gallery)
        splitter.addWidget(self.side_tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 520])
        persist.mark(splitter, "dataset/splitter")
        persist.mark(self.size_slider, "dataset/thumb_size")

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)  # under the gallery: the control row must fit 1024 pixels

        state.datasetChanged.connect(self._dataset_changed)

    # ------------------------------------------------------------------ data
    def _dataset_changed(self, dataset) -> None:
        if self.source_combo.currentIndex() == 0:
            self._rebuild()
        self._compute_stats(dataset)

    def personal_changed(self) -> None:
        """A drawing was saved on the Draw tab: reload them when next shown."""
        self._personal = None
        if self.source_combo.currentIndex() == 1:
            self._rebuild()

    def show_personal(self, personal) -> None:
        """Browse the user's own drawings (reloaded here with their files, to delete or relabel)."""
        self._personal = None
        if self.source_combo.currentIndex() == 1:
            self._rebuild()
        else:
            self.source_combo.setCurrentIndex(1)

    def _current_source(self):
        if self.source_combo.currentIndex() == 1:
            if self._personal is None:
                from mnist_desktop.core.personal import load_personal_drawings

                self._personal, self._personal_paths = load_personal_drawings()
            return self._personal
        return self.state.dataset

    # ------------------------------------------------------------------ my drawings
    def _showing_drawings(self) -> bool:
        return self.source_combo.currentIndex() == 1

    def _drawing_path(self, item: int):
        paths = self._personal_paths or []
        return paths[item] if 0 <= item < len(paths) else None

    def _drawing_menu(self, position) -> None:
        index = self.gallery.indexAt(position)
        if not self._showing_drawings() or not index.isValid():
            return
        self.gallery.setCurrentIndex(index)
        item = self.gallery.item_at_row(index.row())
        menu = QMenu(self)
        relabel = menu.addMenu("Relabel as")
        for digit in range(10):
            action = relabel.addAction(str(digit), lambda d=digit: self.relabel_drawing(item, d))
            action.setEnabled(digit != int(self._labels[item]))
        menu.addAction("Delete drawing", lambda: self.delete_drawing(item)).setShortcut(QKeySequence.StandardKey.Delete)
        menu.exec(self.gallery.viewport().mapToGlobal(position))

    def _delete_current(self) -> None:
        index = self.gallery.currentIndex()
        if self._showing_drawings() and index.isValid():
            self.delete_drawing(self.gallery.item_at_row(index.row()))

    def delete_drawing(self, item: int) -> bool:
        """Delete one of my drawings (an index into the gallery's images)."""
        from mnist_desktop.core.personal import delete_drawing

        path = self._drawing_path(item)
        if path is None:
            return False
        try:
            delete_drawing(path)
        except OSError as exc:
            workers.show_error(self, "Cannot delete the drawing", exc)
            return False
        self._drawings_edited()
        return True

    def relabel_drawing(self, item: int, digit: int) -> bool:
        from mnist_desktop.core.personal import relabel_drawing

        path = self._drawing_path(item)
        if path is None:
            return False
        try:
            relabel_drawing(path, digit)
        except OSError as exc:
            workers.show_error(self, "Cannot relabel the drawing", exc)
            return False
        self._drawings_edited()
        return True

    def _drawings_edited(self) -> None:
        row = max(0, self.gallery.currentIndex().row())
        self._personal = None
        self._rebuild()
        if self.gallery.count():
            self.gallery.select_row(min(row, self.gallery.count() - 1))
        self.drawingsEdited.emit()

    def _rebuild(self) -> None:
        dataset = self._current_source()
        if dataset is None:
            return
        self._images = np.concatenate([dataset.x_train, dataset.x_test])
        self._labels = np.concatenate([dataset.y_train, dataset.y_test])
        self._splits = np.concatenate([np.zeros(len(dataset.x_train), np.uint8), np.ones(len(dataset.x_test), np.uint8)])
        self._class_names = dataset.class_names
        for value in range(10):
            button = self.label_buttons.button(value)
            name = dataset.class_names[value]
            button.setText(name if len(name) <= 3 else name[:3])
            button.setToolTip(name)
        self._apply_filter()

    def _apply_filter(self) -> None:
        split = self.split_combo.currentIndex()
        label = self.label_buttons.checkedId()
        mask = np.ones(len(self._images), bool)
        if split:
            mask &= self._splits == (split - 1)
        if label != ALL_LABELS:
            mask &= self._labels == label
        order = np.flatnonzero(mask)
        names = self._class_names
        labels = self._labels

        def caption(i: int) -> str:
            return "?" if labels[i] == UNLABELED else names[labels[i]]

        self.gallery.set_placeholder(
            "No drawings yet. On the Draw tab, draw a digit and press its number key (or a Teach button): "
            "each one you teach is kept here, to look at, relabel or delete (right-click), and to train on."
            if self._showing_drawings() and not len(self._images) else "No image matches this filter.")
        self.gallery.set_content(self._images, order, caption)
        self.count_label.setText(f"{len(order):,} of {len(self._images):,} images")
        if len(order):
            self.gallery.select_row(0)

    def _show_image(self, item: int) -> None:
        self.pixel_view.set_image(self._images[item])
        split = "train" if self._splits[item] == 0 else "test"
        position = item if self._splits[item] == 0 else item - int(np.count_nonzero(self._splits == 0))
        label = self._labels[item]
        names = self._class_names
        text = "no label" if label == UNLABELED else f"label <b>{names[label]}</b>"
        self.image_info.setText(f"{text} &nbsp;·&nbsp; {split} image #{position:,} &nbsp;·&nbsp; "
                                f"ink {self._images[item].sum() / 255:.0f} full pixels")

    def show_image_tab(self) -> None:
        self.side_tabs.setCurrentIndex(1)

    # ------------------------------------------------------------------ statistics
    def _compute_stats(self, dataset) -> None:
        from mnist_desktop.core.stats import compute_stats

        if self._stats_worker is not None:
            self._stats_worker.cancel()
        self.stats_status.setText("Computing statistics…")

        def done(stats) -> None:
            if self.state.dataset is dataset:
                self.stats_view.show_stats(stats, dataset.class_names)
                self.stats_status.setText(f"{dataset.summary()}" + (f" — {dataset.notes}" if dataset.notes else ""))

        self._stats_worker = workers.start_worker(self, lambda context: compute_stats(dataset), name="Statistics",
                                                  on_result=done)

    def shutdown(self) -> None:
        if self._stats_worker is not None:
            self._stats_worker.cancel()

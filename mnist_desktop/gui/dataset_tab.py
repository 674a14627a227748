"""The Dataset tab: a gallery of the current data set filtered by split and label, each image's pixel
values, and the statistics (computed in a worker when the data set changes)."""

from __future__ import annotations

import weakref

import numpy as np
from PySide6.QtCore import Qt
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

from mnist_desktop.core.dataset import DIGIT_CLASSES, NUM_CLASSES, UNLABELED
from mnist_desktop.gui import persist, theme, workers
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.eda import StatsView
from mnist_desktop.gui.widgets.gallery import DigitGallery
from mnist_desktop.gui.widgets.pixel_view import PixelView

SPLITS = ("All", "Train", "Test")
# Statistics per data set object (a data set never changes): the bundled MNIST, shared by every
# window, is counted once.
_STATS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
ALL_LABELS = NUM_CLASSES  # button id of "All" (QButtonGroup reserves -1 for "assign one")


class DatasetTab(Tab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self._images = np.zeros((0, 28, 28), np.uint8)
        self._labels = np.zeros(0, np.uint8)
        self._splits = np.zeros(0, np.uint8)  # 0 = train, 1 = test, per row of _images
        self._class_names: tuple[str, ...] = DIGIT_CLASSES
        self.stats_task = workers.TaskSlot(self, "Statistics")
        self._stats_of = None  # the data set whose statistics are shown (or being computed)

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
        for value, text in [(ALL_LABELS, "All")] + [(d, str(d)) for d in range(NUM_CLASSES)]:
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
        state.personalChanged.connect(self._personal_changed)

    # ------------------------------------------------------------------ data
    def _dataset_changed(self, dataset) -> None:
        if not self.showing_personal():
            self._rebuild()

    def _personal_changed(self) -> None:
        """A drawing was saved, deleted or relabelled."""
        if self.showing_personal():
            self._rebuild()

    def showing_personal(self) -> bool:
        return self.source_combo.currentIndex() == 1

    def show_personal(self) -> None:
        """Browse the user's own drawings."""
        if self.showing_personal():
            self._rebuild()
        else:
            self.source_combo.setCurrentIndex(1)

    def _current_source(self):
        return self.state.personal if self.showing_personal() else self.state.dataset

    # ------------------------------------------------------------------ my drawings
    def _drawing_path(self, item: int):
        paths = self.state.personal_paths
        return paths[item] if 0 <= item < len(paths) else None

    def _drawing_menu(self, position) -> None:
        index = self.gallery.indexAt(position)
        if not self.showing_personal() or not index.isValid():
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
        if self.showing_personal() and index.isValid():
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
        self.state.personal_saved()  # every tab that shows the drawings (or counts them) follows
        if self.gallery.count():
            self.gallery.select_row(min(row, self.gallery.count() - 1))

    def _rebuild(self) -> None:
        dataset = self._current_source()
        if dataset is None:
            return
        self._compute_stats(dataset)
        self._images = np.concatenate([dataset.x_train, dataset.x_test])
        self._labels = np.concatenate([dataset.y_train, dataset.y_test])
        self._splits = np.concatenate([np.zeros(len(dataset.x_train), np.uint8), np.ones(len(dataset.x_test), np.uint8)])
        self._class_names = dataset.class_names
        for value in range(NUM_CLASSES):
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
            if self.showing_personal() and not len(self._images) else "No image matches this filter.")
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
        """The statistics always describe what the gallery shows (the data set or the drawings)."""
        from mnist_desktop.core.stats import compute_stats

        if dataset is self._stats_of:
            return
        self._stats_of = dataset

        def done(stats) -> None:
            _STATS[dataset] = stats
            self.stats_view.show_stats(stats, dataset.class_names)
            self.stats_status.setText(f"{dataset.summary()}" + (f" — {dataset.notes}" if dataset.notes else ""))

        known = _STATS.get(dataset)
        if known is not None:
            self.stats_task.cancel()
            done(known)
            return
        self.stats_status.setText(f"Computing statistics of {dataset.name}…")
        self.stats_task.start(lambda context: compute_stats(dataset, check=context.check), on_result=done)

    def shutdown(self) -> None:
        self.stats_task.cancel()

"""The Dataset tab's statistics: label distribution, mean image per class, pixel intensities and ink
per class, each with a caption that says what it shows in this data set's own numbers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from mnist_desktop.core.dataset import NUM_CLASSES
from mnist_desktop.core.stats import DatasetStats
from mnist_desktop.gui.widgets.images import rgb_qimage
from mnist_desktop.gui import theme
from mnist_desktop.gui.widgets.plots import BLUE, ORANGE, brush, class_ticks, foreground, make_plot, pen


def _caption(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setContentsMargins(0, 0, 0, 14)
    return theme.muted(label)


CHART_HEIGHT = 240


def _chart_slot() -> QWidget:
    slot = QWidget()
    slot.setFixedHeight(CHART_HEIGHT)
    return slot


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    theme.sized(label, 11, QFont.Weight.Bold)
    label.setContentsMargins(0, 6, 0, 0)
    return label


class StatsView(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)

        # The charts are made when the first statistics arrive: until then there is nothing to draw,
        # and the first paint of the window does not wait for them. Same-sized slots keep the page still.
        self._layout = layout
        self.counts_plot = self.histogram_plot = self.ink_plot = None
        layout.addWidget(_heading("Label distribution"))
        self._counts_slot = _chart_slot()
        self.counts_caption = _caption()
        layout.addWidget(self._counts_slot)
        layout.addWidget(self.counts_caption)

        layout.addWidget(_heading("Mean image per class"))
        self.means_grid = QGridLayout()
        self.means_grid.setSpacing(4)
        self.mean_labels: list[QLabel] = []
        for c in range(NUM_CLASSES):
            picture = QLabel()
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = QLabel()
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.means_grid.addWidget(picture, (c // 5) * 2, c % 5)
            self.means_grid.addWidget(name, (c // 5) * 2 + 1, c % 5)
            self.mean_labels.append(picture)
            self.mean_labels.append(name)
        layout.addLayout(self.means_grid)
        self.means_caption = _caption()
        layout.addWidget(self.means_caption)

        layout.addWidget(_heading("Pixel intensities"))
        self._histogram_slot = _chart_slot()
        self.histogram_caption = _caption()
        layout.addWidget(self._histogram_slot)
        layout.addWidget(self.histogram_caption)

        layout.addWidget(_heading("Ink per class"))
        self._ink_slot = _chart_slot()
        self.ink_caption = _caption()
        layout.addWidget(self._ink_slot)
        layout.addWidget(self.ink_caption)
        layout.addStretch(1)
        self.setWidget(body)

    def _make_charts(self) -> None:
        self.counts_plot = make_plot("Images per class", left="images", object_name="labelDistributionPlot",
                                     legend=[(BLUE, "train"), (ORANGE, "test")])
        self.histogram_plot = make_plot(left="pixels (log scale)", bottom="value", object_name="intensityPlot")
        self.histogram_plot.getPlotItem().setLogMode(y=True)
        self.ink_plot = make_plot(left="ink per image (full pixels)", object_name="inkPlot")
        for slot, chart in ((self._counts_slot, self.counts_plot), (self._histogram_slot, self.histogram_plot),
                            (self._ink_slot, self.ink_plot)):
            chart.setFixedHeight(CHART_HEIGHT)
            self._layout.replaceWidget(slot, chart)
            slot.deleteLater()

    def show_stats(self, stats: DatasetStats, class_names: tuple[str, ...]) -> None:
        import cv2  # not needed for the first paint

        if self.counts_plot is None:
            self._make_charts()

        x = np.arange(NUM_CLASSES)
        plot = self.counts_plot
        plot.clear()
        plot.addItem(pg.BarGraphItem(x=x - 0.2, height=stats.train_counts, width=0.38, brush=brush(BLUE), pen=pen(BLUE, 1),
                                     name="train"))
        plot.addItem(pg.BarGraphItem(x=x + 0.2, height=stats.test_counts, width=0.38, brush=brush(ORANGE),
                                     pen=pen(ORANGE, 1), name="test"))
        class_ticks(plot, class_names)
        train = stats.train_counts
        if train.sum():
            lo, hi = int(train.argmin()), int(train.argmax())
            self.counts_caption.setText(
                f"How many images of each class are in each split. {train.sum():,} training and "
                f"{stats.test_counts.sum():,} test images; the rarest training class is "
                f"“{class_names[lo]}” ({train[lo]:,}), the most common “{class_names[hi]}” ({train[hi]:,}), "
                f"a ratio of {train[hi] / max(train[lo], 1):.2f}: "
                + ("balanced enough that plain accuracy is a fair score." if train[hi] / max(train[lo], 1) < 1.5
                   else "unbalanced: look at per-class recall, not only accuracy."))
        else:
            self.counts_caption.setText("This data set has no labeled training images.")

        for c in range(NUM_CLASSES):
            mean = stats.mean_images[c]
            scaled = np.clip(mean * (255.0 / max(float(mean.max()), 1.0)), 0, 255).astype(np.uint8)
            coloured = cv2.cvtColor(cv2.applyColorMap(scaled, cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
            big = cv2.resize(coloured, (64, 64), interpolation=cv2.INTER_NEAREST)
            self.mean_labels[2 * c].setPixmap(QPixmap.fromImage(rgb_qimage(big)))
            self.mean_labels[2 * c + 1].setText(class_names[c])
        self.means_caption.setText(
            "The average of all images of each class (bright: where most writers put ink). A sharp mean "
            "means people write that class alike; a blurry one, that they write it in many ways.")

        histogram = stats.intensity_histogram.astype(np.float64)
        plot = self.histogram_plot
        plot.clear()
        plot.plot(np.arange(257), np.maximum(histogram, 1), stepMode="center", fillLevel=0, brush=brush(BLUE, 120),
                  pen=pen(BLUE, 1))
        total = max(histogram.sum(), 1)
        self.histogram_caption.setText(
            f"How often each grey value occurs across all images. {histogram[0] / total:.0%} of pixels are pure "
            f"background (0) and {histogram[250:].sum() / total:.1%} are full ink (250 and up); the values "
            "between are the soft edges of the strokes, left by the anti-aliasing when the digits were scaled "
            "into 20x20 pixels.")

        plot = self.ink_plot
        plot.clear()
        plot.addItem(pg.BarGraphItem(x=x, height=stats.ink_mean, width=0.6, brush=brush(BLUE, 200), pen=pen(BLUE, 1)))
        plot.addItem(pg.ErrorBarItem(x=x, y=stats.ink_mean, height=2 * stats.ink_std, beam=0.2, pen=pen(foreground(), 1)))
        class_ticks(plot, class_names)
        if stats.ink_mean.any():
            lo, hi = int(stats.ink_mean.argmin()), int(stats.ink_mean.argmax())
            self.ink_caption.setText(
                f"Average ink per image (sum of pixel values / 255), with one standard deviation. "
                f"“{class_names[lo]}” uses the least ({stats.ink_mean[lo]:.0f} full pixels), "
                f"“{class_names[hi]}” the most ({stats.ink_mean[hi]:.0f}): a model could tell them apart "
                "by ink alone, but not most other pairs.")

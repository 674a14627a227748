"""Ten horizontal bars, one per class: where the model's belief went. Painted directly (it updates
on every stroke; a plot widget would be overkill)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.core.dataset import DIGIT_CLASSES, NUM_CLASSES


class ProbabilityBars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.probabilities = np.zeros(NUM_CLASSES, np.float32)
        self.class_names = DIGIT_CLASSES
        self.setMinimumSize(220, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("class probabilities")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, 260)

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        self.probabilities = np.zeros(NUM_CLASSES, np.float32) if probabilities is None else np.asarray(probabilities)
        parts = [f"{name}: {p:.1%}" for name, p in zip(self.class_names, self.probabilities, strict=True)]
        self.setAccessibleDescription(", ".join(parts))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rows = NUM_CLASSES
        row = self.height() / rows
        label_width = 28
        text_width = 58
        bar_space = max(10.0, self.width() - label_width - text_width - 8)
        best = int(np.argmax(self.probabilities)) if self.probabilities.any() else -1
        text = self.palette().text().color()
        for k in range(rows):
            y = k * row
            p = float(self.probabilities[k])
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_width - 6, row), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.class_names[k])
            track = QRectF(label_width, y + row * 0.18, bar_space, row * 0.64)
            painter.fillRect(track, QColor(0, 0, 0, 18))
            painter.fillRect(QRectF(track.x(), track.y(), bar_space * p, track.height()),
                             QColor("#1a9850") if k == best else QColor("#74a9cf"))
            painter.drawText(QRectF(label_width + bar_space + 6, y, text_width, row),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{p:.1%}" if p >= 0.001 else ("0%" if p == 0 else "<0.1%"))
        painter.end()

"""A clickable confusion matrix: counts (or row shares) with a colour scale and readable numbers;
the same widget shows the difference of two models' matrices on a diverging scale."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = float(np.clip(t, 0.0, 1.0))
    return QColor(int(a.red() + (b.red() - a.red()) * t), int(a.green() + (b.green() - a.green()) * t),
                  int(a.blue() + (b.blue() - a.blue()) * t))


WHITE = QColor(255, 255, 255)
BLUE = QColor(8, 69, 148)
RED = QColor(178, 24, 43)


class ConfusionMatrixView(QWidget):
    cellClicked = Signal(int, int)  # true class, predicted class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = np.zeros((10, 10), np.int64)
        self.class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
        self.normalised = False
        self.difference = False
        self.selected: tuple[int, int] | None = None
        self._hover: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(320, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("confusion matrix")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 520)

    def set_matrix(self, matrix: np.ndarray, class_names: tuple[str, ...], *, difference: bool = False) -> None:
        self.matrix = np.asarray(matrix)
        self.class_names = class_names
        self.difference = difference
        self.selected = None
        self.update()

    def set_normalised(self, normalised: bool) -> None:
        self.normalised = normalised
        self.update()

    # ------------------------------------------------------------------ geometry
    def _layout(self) -> tuple[float, float, float]:
        margin_left = 34 + (self.fontMetrics().horizontalAdvance("Ankle bo") if max(map(len, self.class_names)) > 2 else 0)
        margin_top = 34
        side = max(1.0, min(self.width() - margin_left - 8, self.height() - margin_top - 30))
        return side / 10, margin_left, margin_top

    def cell_rect(self, row: int, col: int) -> QRectF:
        cell, x0, y0 = self._layout()
        return QRectF(x0 + col * cell, y0 + row * cell, cell, cell)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        cell, x0, y0 = self._layout()
        col, row = int((point.x() - x0) // cell), int((point.y() - y0) // cell)
        return (row, col) if 0 <= row < 10 and 0 <= col < 10 else None

    # ------------------------------------------------------------------ values
    def _shown(self) -> np.ndarray:
        matrix = self.matrix.astype(np.float64)
        if self.normalised and not self.difference:
            matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        return matrix

    def _text(self, value: float) -> str:
        if self.difference:
            return f"{int(value):+d}" if value else ""
        if self.normalised:
            return f"{value * 100:.1f}" if value >= 0.0005 else ""
        return f"{int(value)}" if value else ""

    def _colour(self, value: float, top: float) -> QColor:
        if self.difference:
            return _blend(WHITE, BLUE if value > 0 else RED, abs(value) / max(top, 1))
        # Log scale: the diagonal is a hundred times the mistakes, which would otherwise vanish.
        scale = np.log1p(value * (1000 if self.normalised else 1)) / np.log1p(top * (1000 if self.normalised else 1))
        return _blend(WHITE, BLUE, scale if top > 0 else 0)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = self._shown()
        top = float(np.abs(shown).max()) if shown.size else 0.0
        cell, x0, y0 = self._layout()
        font = QFont(self.font())
        font.setPixelSize(max(8, min(15, int(cell * 0.3))))
        painter.setFont(font)
        for row in range(10):
            for col in range(10):
                rect = self.cell_rect(row, col)
                value = shown[row, col]
                colour = self._colour(value, top)
                painter.fillRect(rect, colour)
                text = self._text(value)
                if text:
                    painter.setPen(QColor("white") if colour.lightnessF() < 0.55 else QColor("#222"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
        for k in range(11):
            painter.drawLine(QPointF(x0, y0 + k * cell), QPointF(x0 + 10 * cell, y0 + k * cell))
            painter.drawLine(QPointF(x0 + k * cell, y0), QPointF(x0 + k * cell, y0 + 10 * cell))
        for marked, colour, width in ((self._hover, QColor(0, 0, 0, 120), 1.5), (self.selected, QColor("#ff7f00"), 3)):
            if marked is not None:
                painter.setPen(QPen(colour, width))
                painter.drawRect(self.cell_rect(*marked).adjusted(1, 1, -1, -1))
        painter.setPen(self.palette().text().color())
        label_font = QFont(self.font())
        painter.setFont(label_font)
        for k, name in enumerate(self.class_names):
            short = name if len(name) <= 8 else name[:7] + "…"
            painter.drawText(QRectF(x0 + k * cell, y0 - 18, cell, 16), Qt.AlignmentFlag.AlignCenter, short[:4] if cell < 40 else short)
            painter.drawText(QRectF(0, y0 + k * cell, x0 - 6, cell), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, short)
        painter.drawText(QRectF(x0, y0 - 34, 10 * cell, 16), Qt.AlignmentFlag.AlignCenter, "predicted →")
        painter.save()
        painter.translate(10, y0 + 5 * cell)
        painter.rotate(-90)
        painter.drawText(QRectF(-60, -8, 120, 16), Qt.AlignmentFlag.AlignCenter, "true →")
        painter.restore()
        caption = ("difference (B - A): blue where B has more, red fewer" if self.difference else
                   "share of each true class, %" if self.normalised else "images; click a cell to see them")
        painter.drawText(QRectF(x0, y0 + 10 * cell + 4, 10 * cell, 20), Qt.AlignmentFlag.AlignCenter, caption)
        painter.end()

    # ------------------------------------------------------------------ interaction
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position())
        if hit != self._hover:
            self._hover = hit
            self.update()
        if hit is not None:
            row, col = hit
            value = int(self.matrix[row, col])
            what = ("correct" if row == col else f"read as {self.class_names[col]}")
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"true {self.class_names[row]}, {what}: {value:+d}" if self.difference
                              else f"true {self.class_names[row]}, {what}: {value} images", self)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selected = hit
            self.update()
            self.cellClicked.emit(*hit)

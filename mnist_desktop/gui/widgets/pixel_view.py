"""A 28x28 image as a grid of pixels with every value written in its cell (the reference notebooks'
``visualize_input``), scaled to the space it gets; hovering a cell tells its row, column and value."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mnist_desktop.gui.widgets.images import gray_qimage


class PixelView(QWidget):
    hovered = Signal(int, int, int)  # row, column, value

    def __init__(self, parent: QWidget | None = None, *, annotate: bool = True) -> None:
        super().__init__(parent)
        self.image = np.zeros((28, 28), np.uint8)
        self.annotate = annotate
        self.setMouseTracking(True)
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("pixel values")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(560, 560)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return width

    def set_image(self, image: np.ndarray) -> None:
        self.image = np.asarray(image, dtype=np.uint8)
        self.update()

    def value_at(self, row: int, col: int) -> int:
        return int(self.image[row, col])

    def _grid(self) -> tuple[float, float, float]:
        rows, cols = self.image.shape
        cell = min(self.width() / cols, self.height() / rows)
        return cell, (self.width() - cell * cols) / 2, (self.height() - cell * rows) / 2

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        cell, x0, y0 = self._grid()
        col, row = int((point.x() - x0) // cell), int((point.y() - y0) // cell)
        if 0 <= row < self.image.shape[0] and 0 <= col < self.image.shape[1]:
            return row, col
        return None

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        rows, cols = self.image.shape
        cell, x0, y0 = self._grid()
        area = QRectF(x0, y0, cell * cols, cell * rows)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(area, gray_qimage(self.image))
        if cell >= 6:
            painter.setPen(QPen(QColor(90, 90, 90, 110), 0))
            for k in range(rows + 1):
                painter.drawLine(int(x0), int(y0 + k * cell), int(x0 + cols * cell), int(y0 + k * cell))
            for k in range(cols + 1):
                painter.drawLine(int(x0 + k * cell), int(y0), int(x0 + k * cell), int(y0 + rows * cell))
        if self.annotate and cell >= 15:
            font = QFont(self.font())
            font.setPixelSize(max(6, int(cell * 0.36)))
            painter.setFont(font)
            for r in range(rows):
                for c in range(cols):
                    value = int(self.image[r, c])
                    if value == 0:
                        continue
                    # Dark text on light pixels, light text on dark ones.
                    painter.setPen(QColor(0, 0, 0) if value > 127 else QColor(230, 230, 230))
                    painter.drawText(QRectF(x0 + c * cell, y0 + r * cell, cell, cell),
                                     Qt.AlignmentFlag.AlignCenter, str(value))
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            QToolTip.hideText()
            return
        row, col = cell
        value = self.value_at(row, col)
        self.hovered.emit(row, col, value)
        QToolTip.showText(event.globalPosition().toPoint(), f"row {row}, column {col}: {value}", self)

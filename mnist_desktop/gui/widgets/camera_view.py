"""Shows camera frames (as QImage) scaled to fit, and lets the user drag a region of interest."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.gui.widgets.images import to_qimage


class CameraView(QWidget):
    roiChanged = Signal(object)  # (x, y, w, h) in frame pixels, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.frame_size = (0, 0)
        self.roi: tuple[int, int, int, int] | None = None
        self.message = "No source running. Choose a camera, a video or an image, then Start."
        self._drag_start: QPointF | None = None
        self._drag_now: QPointF | None = None
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Drag to read only part of the view; right-click to read it all again")
        self.setAccessibleName("camera view")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 480)

    def show_frame(self, frame: np.ndarray) -> None:
        self.image = to_qimage(frame)
        self.frame_size = (frame.shape[1], frame.shape[0])
        self.update()

    def show_message(self, text: str) -> None:
        self.message = text
        self.image = QImage()
        self.update()

    def _target(self) -> QRectF:
        w, h = self.frame_size
        if not w or not h:
            return QRectF()
        scale = min(self.width() / w, self.height() / h)
        return QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def to_frame(self, point: QPointF) -> tuple[float, float]:
        target = self._target()
        scale = target.width() / max(1, self.frame_size[0])
        x = (point.x() - target.x()) / scale
        y = (point.y() - target.y()) / scale
        return min(max(x, 0.0), self.frame_size[0]), min(max(y, 0.0), self.frame_size[1])

    def to_widget(self, x: float, y: float) -> QPointF:
        target = self._target()
        scale = target.width() / max(1, self.frame_size[0])
        return QPointF(target.x() + x * scale, target.y() + y * scale)

    def set_roi(self, roi: tuple[int, int, int, int] | None) -> None:
        self.roi = roi
        self.update()
        self.roiChanged.emit(roi)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(30, 30, 30))
        if self.image.isNull():
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.message)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self._target(), self.image)
        pen = QPen(QColor(255, 200, 0), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        if self.roi is not None:
            x, y, w, h = self.roi
            painter.drawRect(QRectF(self.to_widget(x, y), self.to_widget(x + w, y + h)))
        if self._drag_start is not None and self._drag_now is not None:
            painter.drawRect(QRectF(self._drag_start, self._drag_now).normalized())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.image.isNull():
            return
        if event.button() == Qt.MouseButton.RightButton:
            self.set_roi(None)
        elif event.button() == Qt.MouseButton.LeftButton:
            self._drag_start = self._drag_now = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_start is not None:
            self._drag_now = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_start is None or event.button() != Qt.MouseButton.LeftButton:
            return
        x0, y0 = self.to_frame(self._drag_start)
        x1, y1 = self.to_frame(event.position())
        self._drag_start = self._drag_now = None
        rect = QRect(int(min(x0, x1)), int(min(y0, y1)), int(abs(x1 - x0)), int(abs(y1 - y0)))
        if rect.width() >= 16 and rect.height() >= 16:
            self.set_roi((rect.x(), rect.y(), rect.width(), rect.height()))
        else:
            self.update()

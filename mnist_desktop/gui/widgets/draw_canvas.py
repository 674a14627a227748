"""The drawing canvas: smooth anti-aliased strokes from a mouse, a pen (with pressure) or a finger.

Ink is kept as its own greyscale image (255 = full ink) at the screen's device-pixel resolution,
whatever the theme shows (white on black like MNIST, or dark on white), so what the model reads is
always in MNIST polarity. Strokes are kept too, for undo and for redrawing after a resize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QShortcut,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.gui.widgets.images import gray_qimage



@dataclass
class Stroke:
    points: list[QPointF] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)


class DrawCanvas(QWidget):
    strokeChanged = Signal()  # while drawing (the tab debounces its live prediction)
    strokeFinished = Signal()  # a stroke ended: read now
    cleared = Signal()
    fileDropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pen_width = 18.0
        self.light_theme = False
        self.strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._background: np.ndarray | None = None  # an opened image, light ink on black
        self._overlay: np.ndarray | None = None  # saliency, 0..1 per device pixel
        self._ink = QImage()
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("drawing canvas")
        self.setToolTip("Draw a digit, or several side by side. Ctrl+Z undoes a stroke; Esc clears.")
        # Ctrl+Z is the window's Edit > Undo (a second window-wide Ctrl+Z would make both ambiguous);
        # Esc and Delete clear only while the canvas has focus, so Delete stays free elsewhere.
        for key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            QShortcut(QKeySequence(key), self, self.clear, context=Qt.ShortcutContext.WidgetShortcut)
        self._allocate()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 420)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return width

    # ------------------------------------------------------------------ ink
    def _allocate(self) -> None:
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, int(self.width() * ratio)), max(1, int(self.height() * ratio)))
        self._ink = QImage(size, QImage.Format.Format_Grayscale8)
        self._ink.setDevicePixelRatio(ratio)
        self._ink.fill(0)

    def _redraw(self) -> None:
        """Render every stroke again (after undo, a resize or a screen change)."""
        self._allocate()
        if self._background is not None:
            self._paint_background()
        for stroke in self.strokes:
            self._paint_stroke(stroke, 0)

    def _painter(self) -> QPainter:
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        return painter

    def _pen(self, width: float) -> QPen:
        pen = QPen(QColor(255, 255, 255), max(0.5, width))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _paint_stroke(self, stroke: Stroke, start: int) -> None:
        """Quadratic curves through the midpoints of the sampled points: smooth even when the mouse
        reports few positions on a fast stroke."""
        points, widths = stroke.points, stroke.widths
        painter = self._painter()
        if len(points) == 1:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255))
            r = widths[0] / 2
            painter.drawEllipse(points[0], r, r)
        for i in range(max(1, start), len(points)):
            p0 = points[i - 2] if i >= 2 else points[i - 1]
            p1, p2 = points[i - 1], points[i]
            a = (p0 + p1) / 2 if i >= 2 else p1
            b = (p1 + p2) / 2 if i < len(points) - 1 else p2
            path = QPainterPath(a)
            path.quadTo(p1, b)
            painter.setPen(self._pen(widths[i]))
            painter.drawPath(path)
            if i == len(points) - 1:
                # The last point: finish the curve to the pointer itself.
                painter.drawLine(b, p2)
        painter.end()

    def _paint_background(self) -> None:
        background = self._background
        target = QRectF(0, 0, self.width(), self.height())
        h, w = background.shape
        scale = min(target.width() / w, target.height() / h) * 0.9
        rect = QRectF((target.width() - w * scale) / 2, (target.height() - h * scale) / 2, w * scale, h * scale)
        painter = self._painter()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, gray_qimage(background))
        painter.end()

    def ink(self) -> np.ndarray:
        """The ink as uint8 (height x width device pixels), 255 = full ink: MNIST polarity."""
        image = self._ink
        if image.isNull():
            return np.zeros((0, 0), np.uint8)
        bits = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
        rows = bits.reshape(image.height(), image.bytesPerLine())
        return rows[:, : image.width()].copy()

    def is_empty(self) -> bool:
        return not self.strokes and self._background is None

    def is_drawing(self) -> bool:
        """True between the press and the release of a stroke."""
        return self._current is not None

    @property
    def overlay(self) -> np.ndarray | None:
        """The saliency shown over the drawing (0..1 per ink pixel), if any."""
        return self._overlay

    # ------------------------------------------------------------------ editing
    def clear(self) -> None:
        self.strokes.clear()
        self._current = None
        self._background = None
        self._overlay = None
        self._allocate()
        self.update()
        self.cleared.emit()

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
        elif self._background is not None:
            self._background = None
        else:
            return
        self._overlay = None
        self._redraw()
        self.update()
        if self.is_empty():
            self.cleared.emit()
        else:
            self.strokeFinished.emit()

    def set_background(self, light: np.ndarray) -> None:
        """Show an opened image (light ink on black) as the drawing; strokes may be added on top."""
        self.strokes.clear()
        self._background = np.asarray(light, np.uint8)
        self._overlay = None
        self._redraw()
        self.update()
        self.strokeFinished.emit()

    def set_overlay(self, heat: np.ndarray | None) -> None:
        self._overlay = heat
        self.update()

    def set_light_theme(self, light: bool) -> None:
        self.light_theme = light
        self.update()

    # ------------------------------------------------------------------ input
    def _begin(self, point: QPointF, width: float) -> None:
        self._overlay = None
        self._current = Stroke([point], [width])
        self.strokes.append(self._current)
        self._paint_stroke(self._current, 0)
        self.update()
        self.strokeChanged.emit()

    def _extend(self, point: QPointF, width: float) -> None:
        stroke = self._current
        if stroke is None:
            return
        if (point - stroke.points[-1]).manhattanLength() < 0.75:
            return
        stroke.points.append(point)
        stroke.widths.append(width)
        self._paint_stroke(stroke, len(stroke.points) - 1)
        margin = max(stroke.widths[-3:]) + 2
        area = QRectF(stroke.points[-1], stroke.points[max(0, len(stroke.points) - 3)]).normalized()
        self.update(area.adjusted(-margin, -margin, margin, margin).toAlignedRect())
        self.strokeChanged.emit()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.strokeFinished.emit()
            # Live segments overlap a little at their joins: redraw the strokes clean, after the
            # reading (which must not wait for it).
            QTimer.singleShot(0, self._clean)

    def _clean(self) -> None:
        if self._current is None:
            self._redraw()
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), self.pen_width)
        elif event.button() == Qt.MouseButton.RightButton:
            self.undo()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), self.pen_width)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        # Pen pressure thickens the stroke; accepted so Qt does not also send mouse events.
        width = self.pen_width * (0.45 + 0.9 * max(0.0, min(1.0, event.pressure())))
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position(), width)
        elif kind == QTabletEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position(), width)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._redraw()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.DevicePixelRatioChange:
            self._redraw()
        super().changeEvent(event)

    # ------------------------------------------------------------------ files
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        from mnist_desktop.core.imageio import IMAGE_SUFFIXES  # with OpenCV: not before the first paint

        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and Path(urls[0].toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.fileDropped.emit(urls[0].toLocalFile())

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        rect = QRectF(0, 0, self.width(), self.height())
        if self.light_theme:
            shown = self._ink.copy()
            shown.invertPixels()
            painter.drawImage(rect, shown)
        else:
            painter.drawImage(rect, self._ink)
        if self._overlay is not None:
            heat = np.clip(self._overlay, 0, 1)
            rgba = np.zeros(heat.shape + (4,), np.uint8)
            rgba[..., 0] = 255
            rgba[..., 1] = (120 * (1 - heat)).astype(np.uint8)
            rgba[..., 3] = (170 * heat).astype(np.uint8)
            h, w = heat.shape
            overlay = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
            painter.drawImage(rect, overlay)
        if self.is_empty():
            painter.setPen(QColor(120, 120, 120) if self.light_theme else QColor(110, 110, 110))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Draw a digit here\n(or several side by side)")
        painter.setPen(QPen(QColor(128, 128, 128), 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()

"""Replay pen strokes on a widget as ordinary mouse press/move/release events: how the tests and the
benchmark draw on the real canvas, exactly as a mouse would."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

_KINDS = {"press": QEvent.Type.MouseButtonPress, "move": QEvent.Type.MouseMove,
          "release": QEvent.Type.MouseButtonRelease}


def send_mouse(widget: QWidget, kind: str, x: float, y: float, *, button: bool = True) -> None:
    """One synthetic mouse event delivered straight to ``widget`` (local coordinates)."""
    local = QPointF(x, y)
    global_point = QPointF(widget.mapToGlobal(local.toPoint()))
    held = Qt.MouseButton.LeftButton if button and kind != "release" else Qt.MouseButton.NoButton
    which = Qt.MouseButton.LeftButton if kind != "move" else Qt.MouseButton.NoButton
    event = QMouseEvent(_KINDS[kind], local, global_point, which, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def mouse_path(points: np.ndarray, step: float = 4.0) -> list[np.ndarray]:
    """The positions a mouse reports along a stroke: at most ``step`` pixels apart."""
    points = np.asarray(points, np.float64)
    dense = [points[0]]
    for a, b in zip(points[:-1], points[1:], strict=True):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        dense.extend(a + (b - a) * (k / n) for k in range(1, n + 1))
    return dense


def draw_strokes(widget: QWidget, strokes: list[np.ndarray], *, scale: float = 1.0, step: float = 4.0,
                 before_last_release=None) -> None:
    """Press, move along each stroke, release. ``before_last_release`` is called just before the
    final release (the benchmark starts its clock there: that is when a reading is due)."""
    for k, stroke in enumerate(strokes):
        dense = mouse_path(np.asarray(stroke, np.float64) * scale, step)
        send_mouse(widget, "press", *dense[0])
        for point in dense[1:]:
            send_mouse(widget, "move", *point)
        if before_last_release is not None and k == len(strokes) - 1:
            before_last_release()
        send_mouse(widget, "release", *dense[-1])


def draw(canvas, drawings, *, design_size: float = 280.0) -> None:
    """Replay `core.handwriting` drawings (designed for a ``design_size`` canvas) on ``canvas``,
    scaled to its size, with each drawing's pen."""
    scale = canvas.width() / design_size
    for drawing in drawings if isinstance(drawings, list) else [drawings]:
        canvas.pen_width = drawing.pen * scale
        draw_strokes(canvas, drawing.strokes, scale=scale)

"""A clickable confusion matrix: counts (or row shares) with a colour scale and readable numbers;
the same widget shows the difference of two models' matrices on a diverging scale. Keyboard: arrows
move the cursor cell, Enter or Space opens it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mnist_desktop.core.dataset import DIGIT_CLASSES, NUM_CLASSES
from mnist_desktop.gui import theme


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = float(np.clip(t, 0.0, 1.0))
    return QColor(int(a.red() + (b.red() - a.red()) * t), int(a.green() + (b.green() - a.green()) * t),
                  int(a.blue() + (b.blue() - a.blue()) * t))


BLUE = QColor(8, 69, 148)
BRIGHT_BLUE = QColor(74, 144, 226)
BRIGHT_RED = QColor(232, 89, 89)
MIN_TINT = 0.15
RED = QColor(178, 24, 43)


class ConfusionMatrixView(QWidget):
    cellClicked = Signal(int, int)  # true class, predicted class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
        self.class_names: tuple[str, ...] = DIGIT_CLASSES
        self.normalised = False
        self.difference = False
        self.selected: tuple[int, int] | None = None
        self.cursor_cell = (0, 0)  # where the keyboard is
        self._hover: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(280, 280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("confusion matrix")
        self.setAccessibleDescription("Arrow keys move between cells; Enter shows the images of a cell.")
        theme.on_change(self._theme_changed)

    def _theme_changed(self, _dark: bool) -> None:
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 520)

    def cell_description(self, row: int, col: int) -> str:
        value = int(self.matrix[row, col])
        what = "correct" if row == col else f"read as {self.class_names[col]}"
        return (f"true {self.class_names[row]}, {what}: {value:+d}" if self.difference
                else f"true {self.class_names[row]}, {what}: {value} images")

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
        metrics = self.fontMetrics()
        # Room for the rotated "true" title and the row names; the row names never touch the title.
        widest = max(metrics.horizontalAdvance(n if len(n) <= 8 else n[:7] + "…") for n in self.class_names)
        margin_left = metrics.height() + 10 + widest + 6
        margin_top = 2 * metrics.height() + 8
        caption_lines = 2 if self.difference else 1
        side = max(1.0, min(self.width() - margin_left - 8,
                            self.height() - margin_top - caption_lines * metrics.height() - 10))
        return side / NUM_CLASSES, margin_left, margin_top

    def cell_rect(self, row: int, col: int) -> QRectF:
        cell, x0, y0 = self._layout()
        return QRectF(x0 + col * cell, y0 + row * cell, cell, cell)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        cell, x0, y0 = self._layout()
        col, row = int((point.x() - x0) // cell), int((point.y() - y0) // cell)
        return (row, col) if 0 <= row < NUM_CLASSES and 0 <= col < NUM_CLASSES else None

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
        empty = self.palette().color(QPalette.ColorRole.Base)
        dark = theme.luminance(empty) < 0.2
        # On a dark background the scale runs to brighter ends, or small counts would not show.
        blue, red = (BRIGHT_BLUE, BRIGHT_RED) if dark else (BLUE, RED)
        if self.difference:
            return _blend(empty, blue if value > 0 else red, abs(value) / max(top, 1))
        if top <= 0 or value <= 0:
            return empty  # nothing counted (and no 0/0)
        # Log scale: the diagonal is a hundred times the mistakes, which would otherwise vanish;
        # any non-zero cell gets at least a visible tint.
        stretch = 1000 if self.normalised else 1
        return _blend(empty, blue, MIN_TINT + (1 - MIN_TINT) * np.log1p(value * stretch) / np.log1p(top * stretch))

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
        for row in range(NUM_CLASSES):
            for col in range(NUM_CLASSES):
                rect = self.cell_rect(row, col)
                value = shown[row, col]
                colour = self._colour(value, top)
                painter.fillRect(rect, colour)
                text = self._text(value)
                if text:
                    painter.setPen(QColor("white") if theme.luminance(colour) < 0.18 else QColor("black"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        grid = QColor(self.palette().color(QPalette.ColorRole.Text))
        grid.setAlpha(40)
        painter.setPen(QPen(grid, 1))
        for k in range(11):
            painter.drawLine(QPointF(x0, y0 + k * cell), QPointF(x0 + NUM_CLASSES * cell, y0 + k * cell))
            painter.drawLine(QPointF(x0 + k * cell, y0), QPointF(x0 + k * cell, y0 + NUM_CLASSES * cell))
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        hover = QColor(text_colour)
        hover.setAlpha(140)
        marks = [(self._hover, hover, 1.5, Qt.PenStyle.SolidLine), (self.selected, QColor("#ff7f00"), 3, Qt.PenStyle.SolidLine)]
        if self.hasFocus():
            marks.append((self.cursor_cell, self.palette().color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
        for marked, colour, width, style in marks:
            if marked is not None:
                painter.setPen(QPen(colour, width, style))
                painter.drawRect(self.cell_rect(*marked).adjusted(1, 1, -1, -1))
        painter.setPen(text_colour)
        label_font = QFont(self.font())
        painter.setFont(label_font)
        line = self.fontMetrics().height()
        for k, name in enumerate(self.class_names):
            short = name if len(name) <= 8 else name[:7] + "…"
            painter.drawText(QRectF(x0 + k * cell, y0 - line - 2, cell, line), Qt.AlignmentFlag.AlignCenter,
                             short[:4] if cell < 40 else short)
            painter.drawText(QRectF(line + 10, y0 + k * cell, x0 - line - 16, cell),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, short)
        painter.drawText(QRectF(x0, y0 - 2 * line - 4, NUM_CLASSES * cell, line), Qt.AlignmentFlag.AlignCenter, "predicted →")
        painter.save()
        # The rotated title sits in its own strip at the far left, clear of the row names.
        painter.translate(2, y0 + 5 * cell)
        painter.rotate(-90)
        painter.drawText(QRectF(-NUM_CLASSES / 2 * cell, 0, NUM_CLASSES * cell, line + 4), Qt.AlignmentFlag.AlignCenter, "true →")
        painter.restore()
        caption = ("difference (B − A): blue where B has more images, red where it has fewer" if self.difference else
                   "share of each true class, %" if self.normalised else "images; click a cell (or press Enter) to see them")
        # The caption may use the whole width and wrap: it is never cut at the matrix's edges.
        painter.drawText(QRectF(4, y0 + NUM_CLASSES * cell + 4, self.width() - 8, self.height() - (y0 + NUM_CLASSES * cell + 4)),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, caption)
        painter.end()

    # ------------------------------------------------------------------ interaction
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position())
        if hit != self._hover:
            self._hover = hit
            self.update()
        if hit is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.cell_description(*hit), self)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.cursor_cell = hit
            self.open_cell(*hit)

    def open_cell(self, row: int, col: int) -> None:
        self.selected = (row, col)
        self.update()
        self.cellClicked.emit(row, col)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        key = Qt.Key(event.key())
        if key in moves:
            dr, dc = moves[key]
            row, col = self.cursor_cell
            self.cursor_cell = (min(9, max(0, row + dr)), min(9, max(0, col + dc)))
            self.setAccessibleDescription(self.cell_description(*self.cursor_cell))
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.open_cell(*self.cursor_cell)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        self.update()
        super().focusOutEvent(event)

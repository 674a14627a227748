"""A progress bar whose text reads the same over the filled and the empty part (styles draw it in
two colours, half white and half black, which is hard to read across the edge)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QProgressBar, QStyle, QStyleOptionProgressBar


class ProgressBar(QProgressBar):
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        option = QStyleOptionProgressBar()
        self.initStyleOption(option)
        text = option.text if option.textVisible else ""
        option.textVisible = False
        painter = QPainter(self)
        self.style().drawControl(QStyle.ControlElement.CE_ProgressBar, option, painter, self)
        if text:
            palette = self.palette()
            metrics = self.fontMetrics()
            width = min(self.width() - 4, metrics.horizontalAdvance(text) + 12)
            pill = QRectF((self.width() - width) / 2, 2, width, self.height() - 4)
            backing = QColor(palette.color(QPalette.ColorRole.Base))
            backing.setAlpha(220)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(backing)
            painter.drawRoundedRect(pill, 4, 4)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(pill.width()) - 4))
        painter.end()

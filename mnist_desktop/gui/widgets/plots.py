"""pyqtgraph set-up shared by every chart: light theme, readable axes, class-name ticks."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor

pg.setConfigOptions(background="w", foreground="#333", antialias=True, imageAxisOrder="row-major")

BLUE = "#4575b4"
ORANGE = "#f46d43"
GREEN = "#1a9850"
RED = "#d73027"
GREY = "#9e9e9e"


def make_plot(title: str = "", *, left: str = "", bottom: str = "", object_name: str = "",
              minimum_height: int = 180) -> pg.PlotWidget:
    widget = pg.PlotWidget()
    if object_name:
        widget.setObjectName(object_name)
    widget.setMinimumHeight(minimum_height)
    item = widget.getPlotItem()
    if title:
        item.setTitle(title, size="10pt")
    if left:
        item.setLabel("left", left)
    if bottom:
        item.setLabel("bottom", bottom)
    item.showGrid(x=False, y=True, alpha=0.25)
    item.setMenuEnabled(False)
    widget.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    return widget


def class_ticks(plot: pg.PlotWidget, names: Sequence[str]) -> None:
    short = [name if len(name) <= 8 else name[:7] + "…" for name in names]
    plot.getPlotItem().getAxis("bottom").setTicks([list(enumerate(short))])


def pen(colour: str, width: float = 2.0, alpha: int = 255):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width)


def brush(colour: str, alpha: int = 255):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkBrush(c)

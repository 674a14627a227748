"""pyqtgraph set-up shared by every chart: colours from the palette (light or dark), plain axis numbers
(never "x0.001"), legends beside the title instead of over the data, right-click Export, and the
mouse wheel left to the page around the chart."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QContextMenuEvent, QPalette, QWheelEvent

from mnist_desktop.gui import theme

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")

BLUE = "#4575b4"
ORANGE = "#f46d43"
GREEN = "#1a9850"
RED = "#d73027"
GREY = "#9e9e9e"

# Context-menu entries of pyqtgraph that make no sense on these fixed charts (Export stays).
_HIDDEN_MENU_ENTRIES = ("Transforms", "Downsample", "Average", "Alpha", "Grid", "Points")

class Chart(pg.PlotWidget):
    """A PlotWidget that lets the wheel scroll the page it sits in (the charts do not zoom)."""

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        event.ignore()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt API
        """pyqtgraph opens its menu on a right click only; the Menu key (or Shift+F10) on a focused
        chart goes straight to what that menu is kept for: Export."""
        if event.reason() != QContextMenuEvent.Reason.Keyboard:
            super().contextMenuEvent(event)
            return
        event.accept()
        scene = self.scene()
        scene.contextMenuItem = self.getPlotItem()  # export this chart, as a right click on it would
        scene.showExportDialog()

    def restyle(self, _dark: bool = False) -> None:
        _style(self)


def foreground() -> QColor:
    return theme.colour(QPalette.ColorRole.WindowText)


def make_plot(title: str = "", *, left: str = "", bottom: str = "", object_name: str = "",
              minimum_height: int = 180, legend: Sequence[tuple[str, str]] = ()) -> Chart:
    """``legend``: (colour, name) pairs, shown next to the title where they cannot hide a bar."""
    widget = Chart()
    if object_name:
        widget.setObjectName(object_name)
        widget.setAccessibleName(f"{title or object_name} chart")
    widget.setMinimumHeight(minimum_height)
    widget.chart_title = title
    widget.chart_legend = list(legend)
    item = widget.getPlotItem()
    for side in ("left", "bottom", "right", "top"):
        # Epochs and accuracies are never shown as "(x0.001)".
        item.getAxis(side).enableAutoSIPrefix(False)
    if left:
        item.setLabel("left", left)
    if bottom:
        item.setLabel("bottom", bottom)
    item.showGrid(x=False, y=True, alpha=0.25)
    for entry in _HIDDEN_MENU_ENTRIES:
        item.setContextMenuActionVisible(entry, False)
    widget.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    _style(widget)
    theme.on_change(widget.restyle)
    return widget


def set_legend(widget: Chart, legend: Sequence[tuple[str, str]]) -> None:
    widget.chart_legend = list(legend)
    _style(widget)


def _style(widget: Chart) -> None:
    text = foreground()
    widget.setBackground(theme.colour(QPalette.ColorRole.Base))
    item = widget.getPlotItem()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(theme.blend(text, theme.colour(QPalette.ColorRole.Base), 0.35)))
        axis.setTextPen(pg.mkPen(text))
        if axis.label is not None and axis.labelText:
            axis.setLabel(axis.labelText, units=axis.labelUnits, **{"color": text.name()})
    keys = "".join(f"&nbsp;&nbsp;<span style='color:{colour}'>■</span>&nbsp;{name}"
                   for colour, name in widget.chart_legend)
    if widget.chart_title or keys:
        item.setTitle(f"{widget.chart_title}{keys}", size="10pt", color=text.name())


def class_ticks(plot: pg.PlotWidget, names: Sequence[str]) -> None:
    short = [name if len(name) <= 8 else name[:7] + "…" for name in names]
    plot.getPlotItem().getAxis("bottom").setTicks([list(enumerate(short))])


def pen(colour: str | QColor, width: float = 2.0, alpha: int = 255):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkPen(c, width=width)


def brush(colour: str | QColor, alpha: int = 255):
    c = QColor(colour)
    c.setAlpha(alpha)
    return pg.mkBrush(c)

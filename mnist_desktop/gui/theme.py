"""Light and dark: the app follows the system colour scheme (live, when the desktop switches) unless
the View menu pins one. Everything that paints its own colours (charts, the confusion matrix, captions)
asks this module, so nothing is left with a grey that only reads on white."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QWidget

CHOICES = (("system", "&Follow the system"), ("light", "&Light"), ("dark", "&Dark"))  # as menu entries
SETTING = "view/theme"
# How far secondary text (captions, hints) moves from the text colour towards the background:
# far enough to look secondary, near enough to keep WCAG AA contrast (>= 4.5:1) on both schemes.
MUTE = 0.3


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#2b2d30", roles.WindowText: "#e6e6e6", roles.Base: "#1e1f22",
        roles.AlternateBase: "#26282b", roles.ToolTipBase: "#3c3f41", roles.ToolTipText: "#e6e6e6",
        roles.PlaceholderText: "#9a9da1", roles.Text: "#e6e6e6", roles.Button: "#3a3d41",
        roles.ButtonText: "#e6e6e6", roles.BrightText: "#ff6b6b", roles.Light: "#4a4d52",
        roles.Midlight: "#3f4246", roles.Mid: "#33363a", roles.Dark: "#1b1c1f", roles.Shadow: "#000000",
        roles.Highlight: "#2f6bbf", roles.HighlightedText: "#ffffff", roles.Link: "#6fa8ff",
        roles.LinkVisited: "#b392f0",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a8d91"))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.Highlight, QColor("#4a4d52"))
    return palette


def _light_palette() -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    # Fusion's disabled text (#bebebe on #efefef, 1.6:1) is barely there; keep it readable.
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e6e6e"))
    return palette


def blend(a: QColor, b: QColor, t: float) -> QColor:
    t = min(1.0, max(0.0, t))
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def focus_ring_colour(palette: QPalette) -> QColor:
    """Black on a light window, white on a dark one (whichever contrasts more with it: the two are
    even at luminance 0.179). The default button's frame and the selection are the highlight colour,
    a mid-tone: a ring in the highlight colour looked like a second default button."""
    return QColor("black") if luminance(palette.color(QPalette.ColorRole.Window)) > 0.179 else QColor("white")


class FocusRingStyle(QProxyStyle):
    """Fusion, with a keyboard focus ring that cannot be mistaken for the default button's frame:
    two pixels of black (light) or white (dark), a little inside the control's edge."""

    def drawControl(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt API
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_PushButton and option.state & QStyle.StateFlag.State_HasFocus:
            self._ring(painter, option.rect.adjusted(1, 1, -1, -1), option.palette)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt API
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            self._ring(painter, option.rect, option.palette)
            return
        super().drawPrimitive(element, option, painter, widget)

    @staticmethod
    def _ring(painter: QPainter, rect, palette: QPalette) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(focus_ring_colour(palette), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 3, 3)
        painter.restore()


class ThemeManager(QObject):
    """``changed(dark)`` fires after the palette changed; widgets that paint their own colours listen."""

    changed = Signal(bool)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.choice = "system"
        self.dark = False
        self._muted: weakref.WeakSet[QWidget] = weakref.WeakSet()
        # Fusion: the one style whose palette is fully ours on every platform.
        app.setStyle(FocusRingStyle(QStyleFactory.create("Fusion")))
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+
            hints.colorSchemeChanged.connect(lambda _scheme: self.choice == "system" and self.apply())

    def system_is_dark(self) -> bool:
        hints = QGuiApplication.styleHints()
        return hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark

    def set_choice(self, choice: str) -> None:
        if choice not in {key for key, _ in CHOICES}:
            choice = "system"
        self.choice = choice
        self.apply()

    def apply(self) -> None:
        self.dark = self.system_is_dark() if self.choice == "system" else self.choice == "dark"
        self.app.setPalette(_dark_palette() if self.dark else _light_palette())
        for widget in list(self._muted):
            if shiboken6.isValid(widget):
                self._mute(widget)
            else:
                self._muted.discard(widget)
        self.changed.emit(self.dark)

    def mute(self, widget: QWidget) -> None:
        self._muted.add(widget)
        self._mute(widget)

    def _mute(self, widget: QWidget) -> None:
        palette = widget.palette()
        app_palette = self.app.palette()
        text = app_palette.color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, blend(text, app_palette.color(QPalette.ColorRole.Window), MUTE))
        widget.setPalette(palette)


_manager: ThemeManager | None = None


def manager() -> ThemeManager:
    """The app's theme manager (made on first use, with the remembered choice applied)."""
    global _manager
    app = QApplication.instance()
    if _manager is None or _manager.app is not app:
        _manager = ThemeManager(app)
        from mnist_desktop.gui.settings import settings

        _manager.set_choice(str(settings().value(SETTING, "system") or "system"))
    return _manager


def choose(choice: str) -> None:
    from mnist_desktop.gui.settings import settings

    manager().set_choice(choice)
    settings().setValue(SETTING, manager().choice)


def is_dark() -> bool:
    return manager().dark


def muted(widget: QWidget, *, small: bool = False) -> QWidget:
    """Secondary text (captions, hints): a softer colour that still reads on both schemes."""
    manager().mute(widget)
    if small:
        font = widget.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        widget.setFont(font)
    return widget


def sized(widget: QWidget, points: float, weight: QFont.Weight = QFont.Weight.Normal) -> QWidget:
    """Big text through the font, not a style sheet: a widget with a style sheet keeps the palette
    it was polished with and would stay black on dark after a theme switch."""
    font = widget.font()
    font.setPointSizeF(points)
    font.setWeight(weight)
    widget.setFont(font)
    return widget


def colour(role: QPalette.ColorRole) -> QColor:
    return QApplication.palette().color(role)


def on_change(callback: Callable[[bool], None]) -> None:
    """Call ``callback(dark)`` on every theme change. Pass a QObject's bound method: Qt drops the
    connection when that object is destroyed."""
    manager().changed.connect(callback)

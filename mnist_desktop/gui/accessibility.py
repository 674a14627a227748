"""Screen readers hear a new reading without having to move to it."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, message: str) -> None:
    """Politely announce ``message`` (a new reading) on behalf of ``widget``, and keep it as the
    widget's accessible description for whoever moves there later."""
    if widget.accessibleDescription() == message:
        return  # the same reading again: no repeat
    widget.setAccessibleDescription(message)
    if QAccessible.isActive():
        event = QAccessibleAnnouncementEvent(widget, message)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)

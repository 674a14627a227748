"""Form values that survive a restart: a widget marked here is saved when the window closes and set
back when it opens (training settings, camera tuning, pen width, splitter positions)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QSplitter,
    QWidget,
)

_KEY = "persistKey"
_ORDER = "persistOrder"


def mark(widget: QWidget, key: str, *, order: int = 1) -> QWidget:
    """Remember ``widget``'s value under ``key``. Lower ``order`` is restored first (a choice that
    resets other fields, like the architecture, goes before them)."""
    widget.setProperty(_KEY, key)
    widget.setProperty(_ORDER, order)
    return widget


def _marked(root: QWidget) -> list[QWidget]:
    found = [w for w in root.findChildren(QWidget) if w.property(_KEY)]
    return sorted(found, key=lambda w: int(w.property(_ORDER) or 0))


def save(root: QWidget, store: QSettings) -> None:
    for widget in _marked(root):
        key = f"form/{widget.property(_KEY)}"
        if isinstance(widget, QSplitter):
            store.setValue(key, widget.saveState())
        elif isinstance(widget, QComboBox):
            store.setValue(key, widget.currentText())
        elif isinstance(widget, QDoubleSpinBox):
            store.setValue(key, widget.value())
        elif isinstance(widget, (QSpinBox, QAbstractSlider)):
            store.setValue(key, widget.value())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            store.setValue(key, widget.isChecked())


def restore(root: QWidget, store: QSettings) -> None:
    """Set back what was saved; a value that no longer fits (an item gone, out of range) is skipped."""
    for widget in _marked(root):
        value = store.value(f"form/{widget.property(_KEY)}")
        if value is None:
            continue
        try:
            if isinstance(widget, QSplitter):
                if isinstance(value, QByteArray):
                    widget.restoreState(value)
            elif isinstance(widget, QComboBox):
                index = widget.findText(str(value))
                if index >= 0:
                    widget.setCurrentIndex(index)
                elif widget.isEditable():
                    widget.setCurrentText(str(value))
            elif isinstance(widget, QDoubleSpinBox):
                widget.setValue(float(value))
            elif isinstance(widget, (QSpinBox, QAbstractSlider)):
                widget.setValue(int(float(value)))
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                widget.setChecked(str(value).lower() in ("true", "1"))
        except (TypeError, ValueError):
            continue  # a hand-edited or foreign settings file: keep the default

"""A virtualised gallery of 28x28 digits: one QListView over the arrays, painted by a delegate, so
70,000 images scroll as smoothly as 70 (no widget per image, no pixmap cache to fill)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from mnist_desktop.core.dataset import NUM_CLASSES
from mnist_desktop.gui import theme
from mnist_desktop.gui.widgets.images import gray_qimage

IndexRole = Qt.ItemDataRole.UserRole + 1
CaptionRole = Qt.ItemDataRole.UserRole + 2
ColourRole = Qt.ItemDataRole.UserRole + 3
BAR_LABEL_PX = 9  # the digit under each probability bar


class DigitGalleryModel(QAbstractListModel):
    """Rows are positions in ``order``; each maps to an index into ``images``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.order = np.zeros(0, np.int64)
        self.probabilities: np.ndarray | None = None
        self._caption: Callable[[int], str] = lambda i: ""
        self._colour: Callable[[int], str | None] = lambda i: None

    def set_content(
        self,
        images: np.ndarray,
        order: np.ndarray,
        caption: Callable[[int], str],
        colour: Callable[[int], str | None] | None = None,
        probabilities: np.ndarray | None = None,
    ) -> None:
        self.beginResetModel()
        self.images = images
        self.order = np.asarray(order, dtype=np.int64)
        self._caption = caption
        self._colour = colour or (lambda i: None)
        self.probabilities = probabilities
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.order)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.order):
            return None
        item = int(self.order[index.row()])
        if role == IndexRole:
            return item
        if role in (CaptionRole, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._caption(item)
        if role == ColourRole:
            return self._colour(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"image {item}: {self._caption(item)}"
        return None


class DigitDelegate(QStyledItemDelegate):
    def __init__(self, view: DigitGallery) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return self._view.cell_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        model: DigitGalleryModel = index.model()
        item = index.data(IndexRole)
        if item is None:
            return
        rect = option.rect
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            # A tint and a frame, not a solid fill: a red or green caption stays readable on it.
            tint = QColor(palette.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(60)
            painter.fillRect(rect, tint)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Midlight))
        thumb = self._view.thumb_size
        image_rect = QRect(rect.x() + (rect.width() - thumb) // 2, rect.y() + 3, thumb, thumb)
        # Nearest neighbour: a digit's pixels stay crisp squares.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(image_rect, gray_qimage(model.images[item]))
        colour = index.data(ColourRole)
        caption_rect = QRect(rect.x(), image_rect.bottom() + 2, rect.width(), self._view.caption_height)
        if colour:
            painter.setPen(QColor(colour))
            painter.drawRect(image_rect.adjusted(-1, -1, 0, 0))
        else:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(caption_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         painter.fontMetrics().elidedText(str(index.data(CaptionRole)), Qt.TextElideMode.ElideRight,
                                                          rect.width() - 2))
        if model.probabilities is not None:
            self._paint_bars(painter, model.probabilities[item], QRect(
                rect.x() + 4, caption_rect.bottom() + 1, rect.width() - 8, self._view.bars_height - 2), colour,
                palette)
        painter.restore()

    @staticmethod
    def _paint_bars(painter: QPainter, probabilities: np.ndarray, area: QRect, colour: str | None,
                    palette: QPalette) -> None:
        """Ten tiny bars, one per class, each over its digit: where the model's belief went."""
        width = area.width() / NUM_CLASSES
        best = int(np.argmax(probabilities))
        font = QFont(painter.font())
        font.setPixelSize(BAR_LABEL_PX)
        painter.setFont(font)
        text = palette.color(QPalette.ColorRole.Text)
        other = theme.blend(text, palette.color(QPalette.ColorRole.Base), 0.55)
        bar_bottom = area.bottom() - BAR_LABEL_PX - 1
        bar_space = bar_bottom - area.top()
        for k, p in enumerate(probabilities):
            height = max(1, int(round(p * bar_space)))
            x = int(area.x() + k * width)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour or "#4575b4") if k == best else other)
            painter.drawRect(x + 1, bar_bottom - height, max(1, int(width) - 2), height)
            painter.setPen(text if k == best else other)
            painter.drawText(QRect(x, bar_bottom + 1, int(width), BAR_LABEL_PX + 1), Qt.AlignmentFlag.AlignCenter, str(k))


class DigitGallery(QListView):
    """Emits ``digitChosen(index into images)`` when the current image changes (click or keys)."""

    digitChosen = Signal(int)

    def __init__(self, parent=None, *, thumb_size: int = 56, show_bars: bool = False) -> None:
        super().__init__(parent)
        self.thumb_size = thumb_size
        self.placeholder = ""
        self.caption_height = self.fontMetrics().height() + 2
        self.bars_height = 18 + BAR_LABEL_PX if show_bars else 0
        self.gallery_model = DigitGalleryModel(self)
        self.setModel(self.gallery_model)
        self.setItemDelegate(DigitDelegate(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWrapping(True)
        self.setSpacing(2)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(thumb_size // 2)
        self.selectionModel().currentChanged.connect(self._current_changed)

    def set_placeholder(self, text: str) -> None:
        """What an empty gallery says instead of showing a blank pane (e.g. how to add images)."""
        self.placeholder = text
        self.viewport().update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if self.count() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(theme.blend(self.palette().color(QPalette.ColorRole.Text),
                                       self.palette().color(QPalette.ColorRole.Base), theme.MUTE))
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()

    def cell_size(self) -> QSize:
        return QSize(max(self.thumb_size + 16, 76), self.thumb_size + 6 + self.caption_height + self.bars_height)

    def set_thumb_size(self, size: int) -> None:
        self.thumb_size = size
        self.verticalScrollBar().setSingleStep(size // 2)
        # Uniform item sizes are cached by the view: a layout pass picks the new size up.
        self.gallery_model.layoutChanged.emit()
        self.doItemsLayout()

    def set_content(self, *args, **kwargs) -> None:
        self.gallery_model.set_content(*args, **kwargs)

    def count(self) -> int:
        return self.gallery_model.rowCount()

    def item_at_row(self, row: int) -> int:
        return int(self.gallery_model.order[row])

    def select_row(self, row: int) -> None:
        self.setCurrentIndex(self.gallery_model.index(row))

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.digitChosen.emit(int(current.data(IndexRole)))

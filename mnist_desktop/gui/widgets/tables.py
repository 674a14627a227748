"""Read-only tables with stretched columns, as every tab shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QTableWidget


def make_table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    return table


def sort_from_the_keyboard(table: QTableWidget) -> None:
    """A header sorts on a click only; the table's context menu (the Menu key, Shift+F10) offers the
    same, one "Sort by" entry per column (again: the other way round)."""
    table.setSortingEnabled(True)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        action = QAction(f"Sort by {table.horizontalHeaderItem(column).text()}", table)

        def sort(_checked=False, column=column) -> None:
            again = header.sortIndicatorSection() == column and header.isSortIndicatorShown()
            ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            order = Qt.SortOrder.DescendingOrder if again and ascending else Qt.SortOrder.AscendingOrder
            table.sortByColumn(column, order)

        action.triggered.connect(sort)
        table.addAction(action)

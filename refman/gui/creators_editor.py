"""The ordered list of an item's creators: edit names in place, add, remove, reorder, set roles.

A name is typed as "Family, Given"; a name without a comma is a group ("WHO Study Group").
Editing a name keeps what the user cannot see here (affiliations, ORCID ids). Every change
emits the whole new list once; the detail pane turns it into one undoable edit.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from refman.model import AUTHOR, EDITOR, Creator

ROLE_LABELS = {AUTHOR: "Author", EDITOR: "Editor"}
ROLES_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}
NAME_COLUMN, ROLE_COLUMN = 0, 1
ROW_LIMIT_HEIGHT = 10  # rows shown before the list scrolls (consortium papers list hundreds)


def parse_name(text: str, creator: Creator) -> Creator:
    """``creator`` renamed to ``text``: "Family, Given" is a person, anything else a group."""
    family, comma, given = text.partition(",")
    if comma:
        return replace(creator, family=family.strip(), given=given.strip(), literal="")
    return replace(creator, family="", given="", literal=text.strip())


class RoleDelegate(QStyledItemDelegate):
    """A combo box to pick Author or Editor."""

    def createEditor(self, parent, option, index) -> QComboBox:
        combo = QComboBox(parent)
        combo.addItems(list(ROLE_LABELS.values()))
        return combo

    # The editor is the QComboBox createEditor made: narrower than Qt's QWidget.
    def setEditorData(self, editor: QComboBox, index) -> None:  # type: ignore[override]
        editor.setCurrentText(index.data())

    def setModelData(self, editor: QComboBox, model, index) -> None:  # type: ignore[override]
        model.setData(index, editor.currentText())


class CreatorsEditor(QWidget):
    """The creators table with Add, Remove, Move Up and Move Down buttons."""

    creators_edited = Signal(tuple)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._creators: list[Creator] = []
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Name (Family, Given)", "Role"])
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons and fields
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ROLE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setItemDelegateForColumn(ROLE_COLUMN, RoleDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(self._on_item_changed)
        self.buttons = {
            name: self._button(name, tip, slot)
            for name, tip, slot in (
                ("+", "Add a creator", self.add_creator),
                ("−", "Remove the selected creator", self.remove_selected),
                ("↑", "Move the selected creator up", lambda: self.move_selected(-1)),
                ("↓", "Move the selected creator down", lambda: self.move_selected(1)),
            )
        }
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    @property
    def creators(self) -> tuple[Creator, ...]:
        return tuple(self._creators)

    def set_creators(self, creators: tuple[Creator, ...]) -> None:
        self._creators = list(creators)
        self._fill(self.table.currentRow())

    def _fill(self, current: int) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._creators))
        for row, creator in enumerate(self._creators):
            self.table.setItem(row, NAME_COLUMN, QTableWidgetItem(creator.display_name))
            self.table.setItem(
                row, ROLE_COLUMN, QTableWidgetItem(ROLE_LABELS.get(creator.role, creator.role))
            )
        self.table.blockSignals(False)
        if 0 <= current < len(self._creators):
            self.table.selectRow(current)
        rows = min(max(len(self._creators), 1), ROW_LIMIT_HEIGHT)
        height = (
            self.table.horizontalHeader().height()
            + rows * self.table.verticalHeader().defaultSectionSize()
            + 2 * self.table.frameWidth()
        )
        self.table.setFixedHeight(height)

    # --- edits --------------------------------------------------------------------------------

    def add_creator(self) -> None:
        """A new empty row whose name is being edited; it counts once it has a name."""
        row = len(self._creators)
        self._creators.append(Creator(role=AUTHOR))
        self._fill(row)
        self.table.setCurrentCell(row, NAME_COLUMN)
        item = self.table.item(row, NAME_COLUMN)  # made by _fill
        if item is not None:
            self.table.editItem(item)

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._creators):
            del self._creators[row]
            self._fill(min(row, len(self._creators) - 1))
            self._emit()

    def move_selected(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if 0 <= row < len(self._creators) and 0 <= target < len(self._creators):
            items = self._creators
            items[row], items[target] = items[target], items[row]
            self._fill(target)
            self._emit()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        row = item.row()
        creator = self._creators[row]
        if item.column() == NAME_COLUMN:
            self._creators[row] = parse_name(item.text(), creator)
        else:
            self._creators[row] = replace(creator, role=ROLES_BY_LABEL.get(item.text(), AUTHOR))
        self._emit()

    def _emit(self) -> None:
        named = tuple(c for c in self._creators if c.display_name.strip())
        self.creators_edited.emit(named)

"""The review of an import, before anything is written (JabRef's import inspection is the model).

``ImportReviewDialog`` shows a ``library.ImportReview``: a table of every record with its status
(new, duplicate of an item and why, repeat of a line of the same file, problem at a line), a
check box per record (import it or not; Space ticks or unticks the selected ones) and, for a
duplicate or a repeat, what to do with it: skip it, merge it into what it matched, or keep both.
Import hands the choices to the controller (``choices()``), which commits them in the task
runner; Cancel imports nothing.

The table is a ``QAbstractTableModel`` over the review's rows: a file of 10,000 records opens
at once, since only the rows on screen are ever asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refman.library import ImportReview, ReviewedRecord
from refman.library.review import DUPLICATE, IMPORT, KEEP, MERGE, NEW, PROBLEM, REPEAT, SKIP

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("", "Status", "Title", "Year", "Authors", "Matched", "Action", "File")
CHECK, STATUS, TITLE, YEAR, AUTHORS, MATCHED, ACTION, WHERE = range(len(COLUMNS))
STATUS_TEXT = {NEW: "New", DUPLICATE: "Duplicate", REPEAT: "Repeat", PROBLEM: "Problem"}
# What each choice reads as in the Action column, and the choices a duplicate offers.
ACTION_TEXT = {IMPORT: "Import", SKIP: "Skip", MERGE: "Merge", KEEP: "Keep both"}
DUPLICATE_ACTIONS = (SKIP, MERGE, KEEP)
_PROBLEM_COLOUR = QColor("#b00020")
ROOT = QModelIndex()


class ReviewModel(QAbstractTableModel):
    """The review's rows, with the user's choice for each record."""

    choices_changed = Signal()

    def __init__(self, review: ImportReview, parent=None):
        super().__init__(parent)
        self.review = review
        self.rows: list[ReviewedRecord] = review.rows
        self._choices: dict[tuple[int, int], str] = review.default_choices()

    # --- the user's choices -------------------------------------------------------------------

    def choices(self) -> dict[tuple[int, int], str]:
        return dict(self._choices)

    def choice(self, row: int) -> str | None:
        record = self.rows[row]
        return self._choices[record.key] if record.is_record else None

    def set_choice(self, row: int, choice: str) -> bool:
        """Choose for the record of ``row``; False when that choice does not apply to it."""
        record = self.rows[row]
        if not record.is_record or choice not in allowed_choices(record):
            return False
        self._choices[record.key] = choice
        self.dataChanged.emit(self.index(row, CHECK), self.index(row, ACTION))
        self.choices_changed.emit()
        return True

    def to_import(self) -> int:
        """How many records the choices import (add, merge or keep)."""
        return sum(choice != SKIP for choice in self._choices.values())

    # --- the model ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        record = self.rows[index.row()]
        if record.is_record and index.column() == CHECK:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if record.is_record and index.column() == ACTION and record.status != NEW:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        record = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == CHECK and record.is_record:
            checked = self._choices[record.key] != SKIP
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(record, column)
        if role == Qt.ItemDataRole.EditRole and column == ACTION:
            return self.choice(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and record.status == PROBLEM:
            return QBrush(_PROBLEM_COLOUR)
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        record = self.rows[index.row()]
        if not record.is_record:
            return False
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == CHECK:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.set_choice(index.row(), checked_choice(record) if checked else SKIP)
        if role == Qt.ItemDataRole.EditRole and index.column() == ACTION:
            return self.set_choice(index.row(), str(value))
        return False

    def _text(self, record: ReviewedRecord, column: int) -> str:
        if column == STATUS:
            return STATUS_TEXT[record.status]
        if column == TITLE:
            return record.title if record.is_record else record.message
        if column == YEAR:
            return record.year
        if column == AUTHORS:
            return record.creators
        if column == MATCHED:
            return record.matched
        if column == ACTION and record.is_record:
            return ACTION_TEXT[self._choices[record.key]]
        if column == WHERE:
            return record.where
        return ""


def allowed_choices(record: ReviewedRecord) -> Sequence[str]:
    return (IMPORT, SKIP) if record.status == NEW else DUPLICATE_ACTIONS


def checked_choice(record: ReviewedRecord) -> str:
    """What ticking a record means: a new one is imported, a duplicate merged (a second copy
    only when the user asks for it)."""
    return IMPORT if record.status == NEW else MERGE


class _ActionDelegate(QStyledItemDelegate):
    """The Action column of a duplicate: a list of Skip, Merge, Keep both."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:
        editor = QComboBox(parent)
        for choice in DUPLICATE_ACTIONS:
            editor.addItem(ACTION_TEXT[choice], choice)
        editor.activated.connect(lambda _: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ImportReviewDialog(QDialog):
    """The review of one import; ``accepted`` means Import, with ``choices()``."""

    def __init__(
        self, review: ImportReview, parent: QWidget | None = None, origin: str | None = None
    ):
        """``origin`` says where the records came from when not from files (see
        ImportReview.summary)."""
        super().__init__(parent)
        self.setWindowTitle("Review Import")
        self.model = ReviewModel(review, self)
        self.summary = QLabel(review.summary(origin), wordWrap=True)
        self.table = self._table()
        self.choice_buttons = {
            choice: QPushButton(f"{ACTION_TEXT[choice]} Selected") for choice in ACTION_TEXT
        }
        self.skip_review = QCheckBox("Don't review imports (turn it back on in Preferences)")
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.model.choices_changed.connect(self._update_import_button)
        self._lay_out()
        self._update_import_button()
        self.resize(980, 560)

    def choices(self) -> dict[tuple[int, int], str]:
        return self.model.choices()

    def toggle_selected(self) -> None:
        """Space: tick the selected records, or untick them when any of them is ticked."""
        rows = [index.row() for index in self.table.selectionModel().selectedRows()]
        records = [row for row in rows if self.model.rows[row].is_record]
        ticked = any(self.model.choice(row) != SKIP for row in records)
        for row in records:
            record = self.model.rows[row]
            self.model.set_choice(row, SKIP if ticked else checked_choice(record))

    def choose_selected(self, choice: str) -> None:
        """Give the selected records this choice, where it applies to them."""
        for index in self.table.selectionModel().selectedRows():
            self.model.set_choice(index.row(), choice)

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        table.setItemDelegateForColumn(ACTION, _ActionDelegate(table))
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), table)
        space.setContext(Qt.ShortcutContext.WidgetShortcut)
        space.activated.connect(self.toggle_selected)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # never measures rows
        for column, width in ((CHECK, 28), (STATUS, 80), (TITLE, 330), (YEAR, 50)):
            table.setColumnWidth(column, width)
        for column, width in ((AUTHORS, 140), (MATCHED, 260), (ACTION, 90), (WHERE, 200)):
            table.setColumnWidth(column, width)
        return table

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel("Selected records:"))
        for choice, button in self.choice_buttons.items():
            button.clicked.connect(lambda _=False, c=choice: self.choose_selected(c))
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(row)
        bottom = QHBoxLayout()
        bottom.addWidget(self.skip_review)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

    def _update_import_button(self) -> None:
        count = self.model.to_import()
        self.import_button.setText(f"Import {count:,}" if count else "Import")
        self.import_button.setEnabled(count > 0)

"""Duplicate Items: the groups in the centre, the merge pane on the right, merges undoable.

Selecting "Duplicate Items" in the sidebar puts ``DuplicatesView`` in place of the item table:
a row per group (how many items, and why they matched: same PMID, same DOI, same title, year
and first author) with its items under it. Selecting a group, or an item of it, puts the
``MergePane`` in place of the detail pane: the items side by side, a column each, as in
Zotero's merge pane; the master is picked above them (the oldest first), and clicking a value
chooses that version of the field, as in JabRef's merge dialog. "Merge N items" merges, "Not
Duplicates" remembers the group's items as different papers. Both go on the window's undo
stack (``MergeCommand``, ``NotDuplicatesCommand``), as does "Merge All Duplicates…"
(``MergeAllCommand``), which asks for the rule and says what it did.

The groups are found on the task runner (``DuplicateFinder``; a second at 100,000 items), again
a moment after each change, so that the sidebar's count stays right without slowing an edit.
"""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.gui import dialogs
from refman.gui.fields import ITEM_TYPE_LABELS, display_time
from refman.gui.tasks import READ, Task, TaskRunner
from refman.gui.undo import LibraryCommand, LibraryEditor
from refman.library import Changes, Library
from refman.library.duplicates import (
    FIELD_NAMES,
    KEEP_RULES,
    MERGE_FIELDS,
    DuplicateGroup,
    MergeAll,
    MergeResult,
    field_text,
    filled_fields,
    is_empty,
)
from refman.model import ItemId, Reference, RefmanError

FIND_AFTER_CHANGES_MS = 1000  # a burst of edits finds the groups once, after it
ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("title", "creators", "year", "journal", "date_added")
HEADERS = ("Title", "Creator", "Year", "Publication", "Date Added")
RULE_CHOICES = ("Keep the oldest item of each group", "Keep the item with most fields filled")
CHOSEN_MARK = "✓ "
MAX_CELL_CHARS = 200  # of a value in the merge pane (the whole in its tooltip)
MAX_CELL_LINES = 4


def _value_text(name: str, ref: Reference) -> str:
    """A field's value as the window names it ("Journal Article", not article-journal)."""
    if name == "item_type":
        return ITEM_TYPE_LABELS.get(ref.item_type, ref.item_type)
    return field_text(name, ref)


def _shown(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _items(n: int) -> str:
    return f"{n} item{'s' * (n != 1)}"


# --- commands ---------------------------------------------------------------------------------


class MergeCommand(LibraryCommand):
    """Merge items into a master; undo gives every item back as it was (library.duplicates)."""

    def __init__(
        self,
        library: Library,
        master: ItemId,
        others: Sequence[ItemId],
        fields: dict[str, ItemId],
    ):
        super().__init__(library, f"Merge {_items(len(others) + 1)}")
        self.master, self.others, self.fields = master, list(others), fields
        self.result: MergeResult | None = None

    def do(self) -> Changes:
        self.result = self.library.duplicates.merge(self.master, self.others, fields=self.fields)
        return self.result.changes()

    def revert(self) -> Changes:
        assert self.result is not None  # undone after it was done
        return self.library.duplicates.unmerge(self.result)


class MergeAllCommand(LibraryCommand):
    """Merge every duplicate group by a rule; undo takes every merge back."""

    def __init__(self, library: Library, rule: str):
        super().__init__(library, "Merge All Duplicates")
        self.rule = rule
        self.done: MergeAll | None = None

    def do(self) -> Changes:
        self.done = self.library.duplicates.merge_all(self.rule)
        return self.done.changes()

    def revert(self) -> Changes:
        assert self.done is not None
        return self.library.duplicates.unmerge_all(self.done)


class NotDuplicatesCommand(LibraryCommand):
    """Remember items as not duplicates; undo forgets the pairs this remembered."""

    def __init__(self, library: Library, ids: Sequence[ItemId]):
        super().__init__(library, "Not Duplicates")
        self.ids = list(ids)
        self.pairs: list[tuple[ItemId, ItemId]] = []

    def do(self) -> Changes:
        self.pairs, changes = self.library.duplicates.not_duplicates(self.ids)
        return changes

    def revert(self) -> Changes:
        return self.library.duplicates.forget(self.pairs)


# --- finding the groups in the background -----------------------------------------------------


class DuplicateFinder(QObject):
    """Finds the groups on the task runner; ``found(groups)`` in the window's thread.

    The job reports through ``_done``, a signal of this object connected from the start: the
    task's own signals can fire before a caller has connected to them when the job is quick
    (a small library), and such a result would be lost.
    """

    found = Signal(list)  # [DuplicateGroup]
    _done = Signal(object)  # from the task's thread: the groups, or None when it failed

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.groups: list[DuplicateGroup] = []
        self.task: Task | None = None
        self._again = False  # changes came while the task ran: find once more after it
        self._timer = QTimer(self, singleShot=True, interval=FIND_AFTER_CHANGES_MS)
        self._timer.timeout.connect(self.find)
        self._done.connect(self._on_done)

    def find_soon(self) -> None:
        self._timer.start()

    def find(self) -> Task | None:
        """Start finding the groups; None when a search runs already (it runs again after)."""
        if self.task is not None and _running(self.task):
            self._again = True
            return None
        self.task = self.tasks.run("Finding duplicates", self._job, mode=READ)
        return self.task

    def _job(self, library: Library, _progress, _cancelled) -> list[DuplicateGroup]:
        groups = None
        try:
            groups = library.duplicates.groups()
        finally:  # a failure (the count stays as it was) is reported too
            self._done.emit(groups)
        return groups

    def _on_done(self, groups: list[DuplicateGroup] | None) -> None:
        self.task = None
        if groups is not None:
            self.groups = groups
            self.found.emit(groups)
        if self._again:
            self._again = False
            self.find()


def _running(task: Task) -> bool:
    """False once the task's thread has ended (a library that could not even be opened ends
    it before the job runs), or its object is gone."""
    return shiboken6.isValid(task) and not task.isFinished()


# --- the groups, in place of the item table ---------------------------------------------------


class DuplicatesView(QTreeWidget):
    """The duplicate groups, a row each with its items under it."""

    group_selected = Signal(object)  # DuplicateGroup, or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.groups: list[DuplicateGroup] = []
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(list(HEADERS))
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setStretchLastSection(False)
        self.currentItemChanged.connect(lambda *_: self.group_selected.emit(self.current_group()))

    def show_groups(self, groups: list[DuplicateGroup], rows: dict[ItemId, tuple[str, ...]]):
        """Show these groups (``rows``: the display values of each item's COLUMNS); the group
        selected before stays selected while one of its items is in a group."""
        before = self.current_group()
        self.blockSignals(True)  # one group_selected at the end, not one per row
        try:
            self.clear()
            self.groups = list(groups)
            for number, group in enumerate(groups):
                self._add_group(number, group, rows)
        finally:
            self.blockSignals(False)
        self.expandAll()
        again = next(
            (n for n, g in enumerate(groups) if before and set(g.ids) & set(before.ids)), None
        )
        current = self.topLevelItem(again) if again is not None else None
        if current is not None:  # else none is current: the tree was just filled anew
            self.setCurrentItem(current)
        self.group_selected.emit(self.current_group())

    def _add_group(self, number: int, group: DuplicateGroup, rows) -> None:
        top = QTreeWidgetItem([f"{_items(len(group.ids))} · {'; '.join(group.reasons)}"])
        top.setData(0, ID_ROLE, None)
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        self.addTopLevelItem(top)
        top.setFirstColumnSpanned(True)
        for item_id in group.ids:
            values = list(rows.get(item_id, ("",) * len(COLUMNS)))
            values[COLUMNS.index("date_added")] = display_time(values[-1])
            child = QTreeWidgetItem(values)
            child.setData(0, ID_ROLE, item_id)
            top.addChild(child)

    def current_group(self) -> DuplicateGroup | None:
        item = self.currentItem()
        if item is None:
            return None
        top = item.parent() or item
        number = self.indexOfTopLevelItem(top)
        return self.groups[number] if 0 <= number < len(self.groups) else None

    def select_group(self, number: int) -> None:
        item = self.topLevelItem(number)
        if item is not None:
            self.setCurrentItem(item)


# --- the merge pane, in place of the detail pane ----------------------------------------------


class MergePane(QWidget):
    """A group's items side by side: pick the master, choose each field's version, merge."""

    def __init__(self, editor: LibraryEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.refs: list[Reference] = []
        self.master: ItemId | None = None
        self.choices: dict[str, ItemId] = {}  # field -> the item whose value is kept
        self.rows: list[str] = []  # the field of each table row
        self.heading = QLabel("Select a group of duplicates to merge it.")
        self.heading.setWordWrap(True)
        self.master_box = QComboBox()
        self.master_box.activated.connect(self._on_master_chosen)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.cellClicked.connect(self.choose)
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_rows)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._fit_timer.start())
        self.merge_button = QPushButton("Merge")
        self.merge_button.clicked.connect(self.merge)
        self.apart_button = QPushButton("Not Duplicates")
        self.apart_button.clicked.connect(self.not_duplicates)
        self._layout()
        self.show_group(None)

    def _layout(self) -> None:
        master_row = QHBoxLayout()
        master_row.addWidget(QLabel("Master item:"))
        master_row.addWidget(self.master_box, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.apart_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(master_row)
        layout.addWidget(QLabel("Click a value to keep that version of the field."))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_group(self, group: DuplicateGroup | None) -> None:
        """Show the items of ``group`` (oldest first: the proposed master), or nothing."""
        try:
            refs = self.editor.library.items.get_many(list(group.ids)) if group else []
        except RefmanError:  # deleted meanwhile: the next search shows the groups anew
            refs = []
        self.refs = refs
        self.master_box.clear()
        for ref in refs:
            added = display_time(ref.date_added)
            fields = filled_fields(ref)
            self.master_box.addItem(f"Item {ref.id} · added {added} · {fields} fields", ref.id)
        for widget in (self.master_box, self.table):
            widget.setEnabled(bool(refs))
        writable = bool(refs) and not self.editor.library.read_only
        self.merge_button.setEnabled(writable)
        self.apart_button.setEnabled(writable)
        self.merge_button.setText(f"Merge {_items(len(refs))}" if refs else "Merge")
        if refs:
            reasons = "; ".join(group.reasons) if group else ""
            self.heading.setText(f"{_items(len(refs))} that look like one paper: {reasons}.")
            self.set_master(ItemId(refs[0].id or 0))
        else:
            self.heading.setText("Select a group of duplicates to merge it.")
            self.master = None
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)

    def set_master(self, master: ItemId) -> None:
        """Make ``master`` the item kept; every field goes back to its default version."""
        self.master = master
        self.master_box.setCurrentIndex(self.master_box.findData(master))
        kept = self._ref(master)
        self.choices = {}
        for name in MERGE_FIELDS:
            source = kept
            if is_empty(name, getattr(kept, name)):
                others = (r for r in self.refs if r.id != master)
                source = next((r for r in others if not is_empty(name, getattr(r, name))), kept)
            self.choices[name] = ItemId(source.id or 0)
        self._fill_table()

    def _on_master_chosen(self, index: int) -> None:
        self.set_master(self.master_box.itemData(index))

    def _ref(self, item_id: ItemId) -> Reference:
        return next(ref for ref in self.refs if ref.id == item_id)

    def _fill_table(self) -> None:
        """A row per field that one of the items has, a column per item."""
        self.rows = [
            name
            for name in MERGE_FIELDS
            if any(not is_empty(name, getattr(ref, name)) for ref in self.refs)
        ]
        self.table.clear()
        self.table.setColumnCount(len(self.refs))
        self.table.setRowCount(len(self.rows))
        self.table.setHorizontalHeaderLabels(
            [f"Item {ref.id}" + (" (master)" if ref.id == self.master else "") for ref in self.refs]
        )
        self.table.setVerticalHeaderLabels([FIELD_NAMES.get(n, n) for n in self.rows])
        for row, name in enumerate(self.rows):
            for column, ref in enumerate(self.refs):
                text = _value_text(name, ref)
                cell = QTableWidgetItem(_shown(text))
                cell.setToolTip(text[:2000])
                self.table.setItem(row, column, cell)
            self._mark_row(row)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped text, up to a few lines (an abstract's tooltip has it
        whole); again when the columns change width, since the text wraps otherwise."""
        self.table.resizeRowsToContents()
        tallest = self.fontMetrics().lineSpacing() * MAX_CELL_LINES + 8
        for row in range(len(self.rows)):
            self.table.setRowHeight(row, min(self.table.rowHeight(row), tallest))

    def _mark_row(self, row: int) -> None:
        """The chosen version of the row's field marked: a tick, highlighted (not bold: a DOI
        in bold no longer fits the column, and Qt elides a word it cannot wrap whole)."""
        name = self.rows[row]
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        highlight.setAlpha(60)
        for column, ref in enumerate(self.refs):
            cell = self.table.item(row, column)
            if cell is None:
                continue
            chosen = self.choices.get(name) == ref.id
            text = _shown(_value_text(name, ref))
            cell.setText(CHOSEN_MARK + text if chosen else text)
            cell.setBackground(QBrush(highlight) if chosen else QBrush())

    def choose(self, row: int, column: int) -> None:
        """Keep the version of the row's field that the column's item has."""
        if 0 <= row < len(self.rows) and 0 <= column < len(self.refs):
            self.choices[self.rows[row]] = ItemId(self.refs[column].id or 0)
            self._mark_row(row)

    def chosen_fields(self) -> dict[str, ItemId]:
        """{field: item} for every field the table shows."""
        return {name: self.choices[name] for name in self.rows}

    def merge(self) -> bool:
        if self.master is None:
            return False
        others = [ItemId(ref.id or 0) for ref in self.refs if ref.id != self.master]
        command = MergeCommand(self.editor.library, self.master, others, self.chosen_fields())
        return self.editor.push(command)

    def not_duplicates(self) -> bool:
        if not self.refs:
            return False
        ids = [ItemId(ref.id or 0) for ref in self.refs]
        return self.editor.push(NotDuplicatesCommand(self.editor.library, ids))


# --- the whole, as the window uses it ---------------------------------------------------------


class DuplicatesController(QObject):
    """The view, the pane and the finder together; the window shows them or hides them."""

    count_changed = Signal(int)  # items in a duplicate group

    def __init__(self, editor: LibraryEditor, tasks: TaskRunner, parent: QWidget):
        super().__init__(parent)
        self.editor = editor
        self.window = parent
        self.view = DuplicatesView()
        self.pane = MergePane(editor)
        self.finder = DuplicateFinder(tasks, self)
        self.shown = False
        self.view.group_selected.connect(self.pane.show_group)
        self.finder.found.connect(self._on_found)
        self.view.hide()

    def set_shown(self, shown: bool) -> None:
        self.shown = shown
        self.view.setVisible(shown)
        if shown:
            self._show(self.finder.groups)
            self.finder.find()

    def apply(self, changes: Changes) -> None:
        if not changes:
            return
        if self.shown:  # a merge just made: the groups at once, not a second later
            self.finder.find()
        else:
            self.finder.find_soon()

    def _on_found(self, groups: list[DuplicateGroup]) -> None:
        self.count_changed.emit(sum(len(group.ids) for group in groups))
        if self.shown:
            self._show(groups)

    def _show(self, groups: list[DuplicateGroup]) -> None:
        ids = [item_id for group in groups for item_id in group.ids]
        self.view.show_groups(groups, self.editor.library.items.rows(ids, COLUMNS))

    def merge_all(self) -> bool:
        """Ask for the rule, merge every group by it, and say what was done."""
        groups = self.finder.groups
        if not groups:
            dialogs.show_info(self.window, "There are no duplicates to merge.")
            return False
        items = sum(len(group.ids) for group in groups)
        question = f"Merge {len(groups)} groups of duplicates ({items} items)?"
        rule = dialogs.ask_choice(self.window, "Merge All Duplicates", question, [*RULE_CHOICES])
        if rule is None:
            return False
        command = MergeAllCommand(self.editor.library, KEEP_RULES[rule])
        if not self.editor.push(command):
            return False
        assert command.done is not None
        dialogs.show_info(self.window, command.done.summary() + " Edit > Undo takes it back.")
        return True

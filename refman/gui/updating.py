"""Update from PubMed in the window: fetch on the task runner, then the change view.

``UpdateController.update(ids)`` runs ``library.updating.check`` for the selected items on the
window's task runner (never on the GUI thread), with an Http made from the user's Preferences
(``preferences.online_settings``); a progress dialog with Cancel shows while it runs. When
PubMed's records change something, ``UpdateDialog`` shows it: new notices at the top in red,
then per item, per field, the item's value and PubMed's side by side with a checkbox (checked
for a plain update, unchecked for a field you edited). Apply writes the checked fields in one
transaction through the editor (``UpdateFromPubMedCommand``: Edit > Undo takes it back), and
the panes show the new values.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.gui import preferences
from refman.gui.busy import close_progress, task_progress
from refman.gui.tasks import READ, Task, TaskRunner
from refman.gui.undo import LibraryEditor, UpdateFromPubMedCommand
from refman.library import Library
from refman.library.updating import STATUS, ItemUpdate, UpdateCheck
from refman.model import ItemId
from refman.online import Http

NAME = "Update from PubMed"
NO_PMID = "None of the selected items has a PMID: only items from PubMed can be updated."


class UpdateDialog(QDialog):
    """The changes PubMed's records bring, to choose from: Apply or Cancel."""

    def __init__(self, check: UpdateCheck, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(NAME)
        self.check = check
        self.resize(900, 560)
        self.notices = QLabel(wordWrap=True)
        self.notices.setObjectName("update_notices")
        self.notices.setTextFormat(Qt.TextFormat.RichText)
        self.notices.setStyleSheet("color: #b00000;")
        self._fill_notices()
        intro = QLabel(
            "PubMed's records changed these fields. Fields you edited are left unchecked: "
            "check one to take PubMed's value instead of yours.",
            wordWrap=True,
        )
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Field", "Now in refman", "PubMed"])
        self.tree.setWordWrap(True)
        self.boxes: dict[tuple[ItemId, str], QTreeWidgetItem] = {}
        for update in check.updates:
            self._add_item(update)
        self.tree.expandAll()
        for column, width in enumerate((220, 320, 320)):
            self.tree.setColumnWidth(column, width)
        self.summary = QLabel(check.summary())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.notices, intro, self.tree, self.summary, buttons):
            layout.addWidget(widget)

    def _fill_notices(self) -> None:
        lines = [
            html.escape(f"Item {u.item_id} ({u.title[:80]}): {n.describe()}")
            for u in self.check.updates
            for n in u.new_notices
        ]
        self.notices.setText("<b>New notices:</b><br>" + "<br>".join(lines) if lines else "")
        self.notices.setVisible(bool(lines))

    def _add_item(self, update: ItemUpdate) -> None:
        head = QTreeWidgetItem(self.tree, [f"{update.title} (PMID {update.pmid})"])
        head.setFirstColumnSpanned(True)
        for change in update.changes:
            label = change.label + (" (edited by you)" if change.edited else "")
            row = QTreeWidgetItem(head, [label, change.old_text, change.new_text])
            for column in (1, 2):
                row.setToolTip(column, change.old_text if column == 1 else change.new_text)
            checked = not change.edited
            row.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            if change.name == STATUS:  # PubMed's own field: comes with its record
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.boxes[(update.item_id, change.name)] = row

    def set_checked(self, item_id: ItemId, name: str, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.boxes[(item_id, name)].setCheckState(0, state)

    def is_checked(self, item_id: ItemId, name: str) -> bool:
        return self.boxes[(item_id, name)].checkState(0) == Qt.CheckState.Checked

    def choices(self) -> dict[ItemId, set[str]]:
        """The fields checked, by item."""
        chosen: dict[ItemId, set[str]] = {u.item_id: set() for u in self.check.updates}
        for (item_id, name), row in self.boxes.items():
            if row.checkState(0) == Qt.CheckState.Checked:
                chosen[item_id].add(name)
        return chosen


class UpdateController(QObject):
    """Runs Update from PubMed for the window: check, change view, apply."""

    finished = Signal(object)  # the UpdateResult applied, or None

    def __init__(
        self, editor: LibraryEditor, tasks: TaskRunner, settings: QSettings, parent: QWidget
    ):
        super().__init__(parent)
        self.editor = editor
        self.library: Library = editor.library
        self.tasks = tasks
        self.settings = settings
        self.window = parent
        self.task: Task | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.dialog: UpdateDialog | None = None
        self.message_box: QMessageBox | None = None  # the last message, for tests to read

    def update(self, ids: Sequence[ItemId]) -> None:
        """Check the items against PubMed in the background; the change view follows."""
        if self.task is not None:
            return
        online = preferences.online_settings(self.settings)  # read here, in the GUI thread
        ids = list(ids)

        def job(library: Library, progress, cancelled) -> UpdateCheck:
            with Http(online) as http:
                return library.updating.check(
                    ids, http=http, progress=progress, cancelled=cancelled
                )

        self.task = self.tasks.run(NAME, job, mode=READ)
        self.task.succeeded.connect(self._on_checked)
        self.task.failed.connect(self._on_failed)
        asking = "Asking PubMed for the records…"
        self.progress_dialog = task_progress(self.window, NAME, asking, self.task)

    def _end_task(self) -> None:
        self.task = None
        if self.progress_dialog is not None:
            close_progress(self.progress_dialog)
            self.progress_dialog = None

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        cancelled = self.task is not None and self.task.cancelled
        self._end_task()
        if not cancelled:  # the user's Cancel needs no message
            self._tell(QMessageBox.Icon.Warning, f"Nothing was changed: {message}")
        self.finished.emit(None)

    @Slot(object)
    def _on_checked(self, check: UpdateCheck) -> None:
        self._end_task()
        if not check.updates:
            text = NO_PMID if not check.checked else check.summary(0)
            self._tell(QMessageBox.Icon.Information, text, _missing_lines(check))
            self.finished.emit(None)
            return
        self.dialog = UpdateDialog(check, self.window)
        self.dialog.finished.connect(self._on_dialog_done)
        self.dialog.open()

    @Slot(int)
    def _on_dialog_done(self, code: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None or code != QDialog.DialogCode.Accepted:
            self.finished.emit(None)
            return
        command = UpdateFromPubMedCommand(self.library, dialog.check.updates, dialog.choices())
        self.editor.push(command)
        self.finished.emit(command.result)

    def _tell(self, icon: QMessageBox.Icon, text: str, details: str = "") -> None:
        box = QMessageBox(icon, NAME, text, QMessageBox.StandardButton.Ok, self.window)
        if details:
            box.setDetailedText(details)
        self.message_box = box
        box.open()


def _missing_lines(check: UpdateCheck) -> str:
    return "\n".join(
        f"Item {item_id}: PubMed has no record with PMID {pmid}"
        for item_id, pmid in check.not_in_pubmed
    )

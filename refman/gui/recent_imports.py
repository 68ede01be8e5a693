"""Recent Imports: every import the library remembers (library.imports), newest first, with
an Undo button for the selected one. The undo itself runs in the import controller's task
(``ImportController.undo_import``), which says what it removed and names what it left.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.library import ImportBatch, Library

NO_IMPORTS = "No imports yet."


class RecentImportsDialog(QDialog):
    """The list of imports; Undo Import asks ``undo(batch)`` to undo the selected one."""

    def __init__(
        self, library: Library, undo: Callable[[ImportBatch], None], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Recent Imports")
        self._library = library
        self._undo = undo
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._update_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = self.buttons.addButton(
            "Undo Import", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.undo_button.clicked.connect(self._undo_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Undoing an import removes what it added and takes back what it merged, "
                "except in items changed since.",
                wordWrap=True,
            )
        )
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.resize(640, 360)
        self.refresh()

    def refresh(self) -> None:
        """List the imports again (after one was undone)."""
        self.list.clear()
        for batch in self._library.imports.list():
            item = QListWidgetItem(batch.describe())
            item.setData(Qt.ItemDataRole.UserRole, batch)
            item.setToolTip("\n".join(batch.files))  # the line names files, the tip their paths
            self.list.addItem(item)
        if self.list.count() == 0:
            self.list.addItem(QListWidgetItem(NO_IMPORTS))
        self.list.setCurrentRow(0)
        self._update_button()

    def selected(self) -> ImportBatch | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _update_button(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(
            batch is not None and not batch.undone and not self._library.read_only
        )

    def _undo_selected(self) -> None:
        batch = self.selected()
        if batch is not None and not batch.undone:
            self._undo(batch)

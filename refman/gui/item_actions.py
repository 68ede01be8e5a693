"""What can be done to the selected items: copy, trash, restore, take out of a collection.

The actions live here, not in the main window, so that the Edit menu and the table's context
menu share them; each knows when it applies (Restore only in the Trash, Remove from
Collection only in a collection). Copies are in the default citation style, as text and HTML;
each copy says what it cited (``cited``), for the window to warn of retracted items in it.
The citation keys are copied as they are (``key1, key2``), as Pandoc's ``[@key1; @key2]`` or as
LaTeX's ``\\cite{key1,key2}``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from refman import citekeys
from refman.gui import mime
from refman.gui.busy import busy_cursor
from refman.gui.item_table import ItemTableView
from refman.gui.sidebar import COLLECTION, TRASH, Sidebar
from refman.gui.undo import LibraryEditor

_KEYS = QKeySequence.StandardKey


class ItemActions(QObject):
    """Actions on the table's selection."""

    update_requested = Signal(list)  # Update from PubMed on these item ids (the window's)
    cited = Signal(list, str)  # the ids copied as citations, and what was done in words

    def __init__(
        self,
        editor: LibraryEditor,
        table: ItemTableView,
        sidebar: Sidebar,
        citation_style: Callable[[], str | None] = lambda: None,
    ):
        super().__init__(table)
        self.editor = editor
        self.citation_style = citation_style  # the default style's id, asked at each copy
        self.library = editor.library
        self.table = table
        self.sidebar = sidebar
        self.copy_citation = self._action(
            "Copy Citation", self.copy_citation_now, QKeySequence("Ctrl+Shift+A")
        )
        self.copy_bibliography = self._action(
            "Copy Bibliography", self.copy_bibliography_now, QKeySequence("Ctrl+Shift+C")
        )
        self._key_actions()
        self.select_all = self._action("Select All", self.select_all_now, _KEYS.SelectAll)
        self.trash = self._action("Move to Trash", self.trash_now, _KEYS.Delete)
        # Delete means "trash" only in the table, never while typing or in the tag list.
        self.trash.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        table.addAction(self.trash)
        self.restore = self._action("Restore to Library", self.restore_now)
        self.remove_from_collection = self._action(
            "Remove from Collection", self.remove_from_collection_now
        )
        self.update_from_pubmed = self._action(
            "Update from PubMed", lambda: self.update_requested.emit(self.table.selected_ids())
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_menu)
        table.selection_changed.connect(self.update_enabled)
        sidebar.source_changed.connect(self.update_enabled)
        self.update_enabled()

    def _key_actions(self) -> None:
        """Copy the selection's citation keys: as they are, for Pandoc, for LaTeX; and make
        them again from the key pattern."""
        self.copy_key = self._action(
            "Copy Citation Key", lambda: self._copy_keys(", ".join), QKeySequence("Ctrl+Shift+K")
        )
        self.copy_pandoc = self._action(
            "Copy Pandoc Citation", lambda: self._copy_keys(citekeys.pandoc_citation)
        )
        self.copy_latex = self._action(
            "Copy LaTeX Citation", lambda: self._copy_keys(citekeys.latex_citation)
        )
        self.regenerate_keys = self._action("Regenerate Citation Key", self.regenerate_keys_now)
        self.key_actions = (self.copy_key, self.copy_pandoc, self.copy_latex)

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def update_enabled(self, *_args) -> None:
        kind = self.sidebar.source.kind
        selected = self.table.has_selection()
        enabled = {
            self.copy_citation: selected,
            self.copy_bibliography: selected,
            self.copy_key: selected,
            self.copy_pandoc: selected,
            self.copy_latex: selected,
            self.regenerate_keys: selected and not self.library.read_only,
            self.trash: selected and kind != TRASH,
            self.restore: selected and kind == TRASH,
            self.remove_from_collection: selected and kind == COLLECTION,
            self.update_from_pubmed: selected and kind != TRASH and not self.library.read_only,
        }
        for action, on in enabled.items():
            action.setEnabled(on)
        self.restore.setVisible(kind == TRASH)
        self.remove_from_collection.setVisible(kind == COLLECTION)

    # --- the actions --------------------------------------------------------------------------

    def copy_citation_now(self) -> None:
        self._copy(mime.citation, "citation")

    def copy_bibliography_now(self) -> None:
        self._copy(mime.bibliography, "bibliography")

    def _copy(self, render: Callable[..., str], what: str) -> None:
        """Text and HTML together, so that word processors paste the formatted version."""
        ids = self.table.selected_ids()
        if not ids:
            return
        with busy_cursor():
            style = self.citation_style()
            text, html = (render(self.library, ids, fmt, style) for fmt in ("text", "html"))
        QGuiApplication.clipboard().setMimeData(mime.clipboard_data(text, html))
        self.cited.emit(ids, f"Copied the {what} of {_items(len(ids))}")

    def _copy_keys(self, form: Callable[[list[str]], str]) -> None:
        """The selection's keys, in the table's order, as ``form`` writes them."""
        keys = self.library.keys.in_order(self.table.selected_ids())
        if keys:
            QGuiApplication.clipboard().setText(form(keys))

    def regenerate_keys_now(self) -> None:
        ids = self.table.selected_ids()
        if ids:
            self.editor.regenerate_keys(ids)

    def select_all_now(self) -> None:
        self.table.setFocus()
        self.table.selectAll()

    def trash_now(self) -> None:
        ids = self.table.selected_ids()
        if ids and self.sidebar.source.kind != TRASH:
            self.editor.trash(ids)

    def restore_now(self) -> None:
        ids = self.table.selected_ids()
        if ids and self.sidebar.source.kind == TRASH:
            self.editor.restore(ids)

    def remove_from_collection_now(self) -> None:
        ids = self.table.selected_ids()
        cid = self.sidebar.source.collection
        if ids and cid is not None:
            self.editor.remove_from_collection(ids, cid)

    def _show_menu(self, pos) -> None:
        menu = QMenu(self.table)
        for action in (
            self.copy_citation,
            self.copy_bibliography,
            *self.key_actions,
            None,
            self.update_from_pubmed,
            None,
            self.remove_from_collection,
            self.trash,
            self.restore,
        ):
            if action is None:
                menu.addSeparator()
            elif action.isVisible():
                menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"

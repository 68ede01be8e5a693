"""What can be done to the selected items: copy, file, export, open online, trash, restore.

The actions live here, not in the main window, so that the Edit menu and the table's context
menu share them; each knows when it applies (Restore only in the Trash, Remove from
Collection only in a collection). Copies are in the default citation style, as text and HTML;
each copy says what it cited (``cited``), for the window to warn of retracted items in it.

The table's context menu is Zotero's: Show in Library, Add to Collection (the tree, and New
Collection…), Remove from Collection, Open DOI / Open in PubMed, the copies, Create
Bibliography and Export, Update from PubMed, Move to Trash (Restore and Delete Permanently in
the Trash). What needs the window (the export dialog, showing My Library) is asked for by
signal. After items leave the view (trashed, restored, taken out of the collection) the item
that took their place is selected, so that Delete can be pressed again.
Find Available PDF (open-access PDFs attached) follows Update from PubMed in both menus.
The citation keys are copied as they are (``key1, key2``), as Pandoc's ``[@key1; @key2]`` or as
LaTeX's ``\\cite{key1,key2}``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QModelIndex, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from refman import citekeys
from refman.gui import dialogs, keys, mime
from refman.gui.busy import busy_cursor
from refman.gui.item_table import ItemTableView
from refman.gui.sidebar import COLLECTION, LIBRARY, TRASH, Sidebar
from refman.gui.undo import LibraryEditor
from refman.library.attachments import PDF
from refman.library.pdfs import NEEDS_LOOKUP
from refman.model import Collection, CollectionId, ItemId, RefmanError

DOI_URL = "https://doi.org/{}"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
ONLINE_LIMIT = 20  # Open DOI / Open in PubMed opens at most this many pages at once
LOOKUP_CHECKED = 200  # the selected items read for a "needs lookup" tag at each selection

_KEYS = QKeySequence.StandardKey


class ItemActions(QObject):
    """Actions on the table's selection."""

    update_requested = Signal(list)  # Update from PubMed on these item ids (the window's)
    find_pdf_requested = Signal(list)  # Find Available PDF on these item ids (the window's)
    retrieve_requested = Signal(list)  # Retrieve Metadata on these item ids (the window's)
    cited = Signal(list, str)  # the ids copied as citations, and what was done in words
    export_requested = Signal(list, str)  # ids, and the format the export dialog opens on
    show_in_library_requested = Signal(list)  # ids, to show selected in My Library
    view_attachment_requested = Signal(int)  # an attachment's id, for the built-in viewer

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
        self.delete_permanently = self._action("Delete Permanently…", self.delete_permanently_now)
        self.remove_from_collection = self._action(
            "Remove from Collection", self.remove_from_collection_now
        )
        self.update_from_pubmed = self._action(
            "Update from PubMed", lambda: self.update_requested.emit(self.table.selected_ids())
        )
        self.find_pdf = self._action(
            "Find Available PDF", lambda: self.find_pdf_requested.emit(self.table.selected_ids())
        )
        # Items made from a PDF whose reference was not found (tagged "needs lookup").
        self.retrieve_metadata = self._action(
            "Retrieve Metadata", lambda: self.retrieve_requested.emit(self.table.selected_ids())
        )
        self.show_in_library = self._action("Show in Library", self.show_in_library_now)
        # View PDF: the first PDF of the selected items, in the window's viewer tab.
        self.view_pdf = self._action("View PDF", self.view_pdf_now, QKeySequence("Ctrl+Shift+V"))
        self.open_doi = self._action("Open DOI", lambda: self.open_online("doi", DOI_URL))
        self.open_pubmed = self._action(
            "Open in PubMed", lambda: self.open_online("pmid", PUBMED_URL)
        )
        self.export_items = self._action(
            "Export Items…", lambda: self.export_requested.emit(self.table.selected_ids(), "ris")
        )
        self.create_bibliography = self._action(
            "Create Bibliography from Items…",
            lambda: self.export_requested.emit(self.table.selected_ids(), "text"),
        )
        # The copies of the context menu and the Edit menu, in order; more copy actions (Copy
        # Citation Key and its kin) are appended here and show in both.
        self.copy_actions = [self.copy_citation, self.copy_bibliography, *self.key_actions]
        # Set by the window (attachment_actions.py): Attach File… in the menu, the menu of a
        # file's row (None for an item's row), and Delete on files' rows.
        self.file_actions: list[QAction] = []
        self.file_menu: Callable[[QModelIndex], QMenu | None] = lambda _index: None
        self.trash_files: Callable[[], bool] = lambda: False
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
            keys.set_keys(action, shortcut)  # a standard key: all the platform's keys for it
        action.triggered.connect(slot)
        return action

    def update_enabled(self, *_args) -> None:
        kind = self.sidebar.source.kind
        selected = self.table.has_selection()
        writable = not self.library.read_only
        enabled = {
            self.copy_citation: selected,
            self.copy_bibliography: selected,
            self.copy_key: selected,
            self.copy_pandoc: selected,
            self.copy_latex: selected,
            self.regenerate_keys: selected and not self.library.read_only,
            self.trash: selected and kind != TRASH,
            self.restore: selected and kind == TRASH,
            self.delete_permanently: selected and kind == TRASH and writable,
            self.remove_from_collection: selected and kind == COLLECTION,
            self.update_from_pubmed: selected and kind != TRASH and writable,
            self.find_pdf: selected and kind != TRASH and writable,
            self.retrieve_metadata: selected and kind != TRASH and writable,
            self.show_in_library: selected,
            self.export_items: selected,
            self.create_bibliography: selected,
            self.open_doi: selected,
            self.open_pubmed: selected,
            self.view_pdf: selected and self.first_pdf() is not None,
        }
        for action, on in enabled.items():
            action.setEnabled(on)
        self.restore.setVisible(kind == TRASH)
        self.delete_permanently.setVisible(kind == TRASH)
        self.trash.setVisible(kind != TRASH)
        self.remove_from_collection.setVisible(kind == COLLECTION)
        self.retrieve_metadata.setVisible(self._needs_lookup_selected())
        # Already in My Library unless a search or tags narrow it.
        self.show_in_library.setVisible(kind != TRASH and (kind != LIBRARY or self._narrowed()))

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
        if self.table.only_files_selected():  # Delete on files' rows: those files
            self.trash_files()
            return
        ids = self.table.selected_ids()
        if ids and self.sidebar.source.kind != TRASH:
            self._then_select_next(ids, lambda: self.editor.trash(ids))

    def restore_now(self) -> None:
        ids = self.table.selected_ids()
        if ids and self.sidebar.source.kind == TRASH:
            self._then_select_next(ids, lambda: self.editor.restore(ids))

    def delete_permanently_now(self) -> None:
        """Delete the selected items of the Trash for good, once the user confirms."""
        ids = self.table.selected_ids()
        if not ids or self.sidebar.source.kind != TRASH:
            return
        question = f"Delete {_items(len(ids))} for good? This cannot be undone."
        if not dialogs.confirm(self.table, "Delete Permanently", question, "Delete"):
            return
        delete = partial(self.library.items.delete, ids)
        if self._then_select_next(ids, lambda: self.editor.run(delete)):
            self.editor.undo_stack.clear()  # undo steps may name items that are gone

    def remove_from_collection_now(self) -> None:
        ids = self.table.selected_ids()
        cid = self.sidebar.source.collection
        if ids and cid is not None:
            self._then_select_next(ids, lambda: self.editor.remove_from_collection(ids, cid))

    def _then_select_next(self, ids: list[ItemId], act: Callable[[], bool]) -> bool:
        """Do ``act`` (which takes ``ids`` out of the view); then select the item that took
        their place (the one after them, or before them at the end of the list)."""
        model = self.table.model()
        chosen = set(ids)
        first = min((r for r in map(model.row_of, ids) if r is not None), default=0)
        if model.rowCount():  # a row, with files' rows among them: its place among the items
            first = model.ids.index(model.item_at(first))
        after = next((i for i in model.ids[first:] if i not in chosen), None)
        before = next((i for i in reversed(model.ids[:first]) if i not in chosen), None)
        done = act()
        following = after if after is not None else before
        if done and following is not None and model.row_of(following) is not None:
            self.table.select_ids([following])
        return done

    # --- collections --------------------------------------------------------------------------

    def add_to_collection_now(self, cid: CollectionId) -> None:
        ids = self.table.selected_ids()
        if ids:
            self.editor.add_to_collection(ids, cid)

    def add_to_new_collection(self) -> None:
        """New Collection… of Add to Collection: named by the user, then the items go in."""
        ids = self.table.selected_ids()
        name = dialogs.ask_text(self.table, "New Collection", "Name:")
        if not ids or name is None:
            return
        made = self.editor.create_collection(name, None)
        if made is not None:
            self.editor.add_to_collection(ids, made.id)

    def collections_menu(self, parent: QMenu) -> QMenu:
        """Add to Collection: New Collection…, then every collection, indented as in the tree."""
        menu = QMenu("Add to Collection", parent)
        menu.addAction("New Collection…", self.add_to_new_collection)
        collections = self.library.collections.all()
        if collections:
            menu.addSeparator()
        current = self.sidebar.source.collection
        for collection, depth in _tree_order(collections):
            action = menu.addAction("    " * depth + collection.name)
            action.setData(collection.id)
            action.setEnabled(collection.id != current)  # the items are in it already
            action.triggered.connect(lambda _=False, c=collection.id: self.add_to_collection_now(c))
        menu.setEnabled(self.table.has_selection() and self.sidebar.source.kind != TRASH)
        return menu

    # --- showing ------------------------------------------------------------------------------

    def _needs_lookup_selected(self) -> bool:
        """Whether a selected item (of the first few) was made from a PDF without its
        reference: Retrieve Metadata is offered for those only."""
        ids = self.table.selected_ids()[:LOOKUP_CHECKED]
        try:
            refs = self.library.items.get_many(ids, source_records=False, tag_details=False)
        except (RefmanError, KeyError):  # gone meanwhile (the Trash emptied elsewhere)
            return False
        return any(tag.name == NEEDS_LOOKUP for ref in refs for tag in ref.tags)

    def _narrowed(self) -> bool:
        """Whether a search or tags narrow the table (the window's query)."""
        query = self.table.model().query
        return bool(query.text or query.tags)

    def show_in_library_now(self) -> None:
        ids = self.table.selected_ids()
        if ids:
            self.show_in_library_requested.emit(ids)

    def first_pdf(self) -> int | None:
        """The id of the first PDF attachment (not in the Trash) of the selected items, in
        the table's order, or None."""
        ids = self.table.selected_ids()[:ONLINE_LIMIT]
        found = self.library.attachments.of(ids) if ids else {}
        for item_id in ids:
            for row in found.get(item_id, []):
                if row.content_type == PDF and not row.trashed:
                    return row.id
        return None

    def view_pdf_now(self) -> None:
        attachment_id = self.first_pdf()
        if attachment_id is not None:
            self.view_attachment_requested.emit(attachment_id)

    def open_online(self, field: str, url: str) -> None:
        """Open the DOI or PubMed page of each selected item that has one (a few at most)."""
        ids = self.table.selected_ids()[:ONLINE_LIMIT]
        values = [row[0] for row in self.library.items.rows(ids, [field]).values() if row[0]]
        if not values:
            what = "DOI" if field == "doi" else "PMID"
            dialogs.show_info(self.table, f"The selected items have no {what}.")
            return
        for value in values:
            link = url.format(value)
            if not QDesktopServices.openUrl(QUrl(link)):
                dialogs.show_info(self.table, f"No web browser could be opened for {link}.")
                return

    def context_menu(self) -> QMenu:
        """The table's context menu, for the selection and the place on show."""
        self.update_enabled()
        menu = QMenu(self.table)
        for entry in (
            self.show_in_library,
            self.view_pdf,
            None,
            self.collections_menu(menu),
            self.remove_from_collection,
            None,
            self.open_doi,
            self.open_pubmed,
            None,
            *self.copy_actions,
            None,
            self.create_bibliography,
            self.export_items,
            None,
            self.update_from_pubmed,
            self.find_pdf,
            self.retrieve_metadata,
            *self.file_actions,
            None,
            self.trash,
            self.restore,
            self.delete_permanently,
        ):
            if entry is None:
                menu.addSeparator()
            elif isinstance(entry, QMenu):
                menu.addMenu(entry)
            elif entry.isVisible() and (entry is not self.view_pdf or entry.isEnabled()):
                menu.addAction(entry)  # View PDF only for items with a PDF
        return menu

    def _show_menu(self, pos) -> None:
        menu = self.file_menu(self.table.indexAt(pos)) or self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()  # made afresh for each right click


def _tree_order(collections: list[Collection]) -> list[tuple[Collection, int]]:
    """The collections as the sidebar shows them: each with its depth, children under it."""
    children: dict[CollectionId | None, list[Collection]] = {}
    for collection in collections:
        children.setdefault(collection.parent_id, []).append(collection)
    ordered: list[tuple[Collection, int]] = []

    def add(parent: CollectionId | None, depth: int) -> None:
        for collection in sorted(children.get(parent, []), key=lambda c: c.name.casefold()):
            ordered.append((collection, depth))
            add(collection.id, depth + 1)

    add(None, 0)
    return ordered


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"

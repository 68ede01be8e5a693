"""The main window: puts the panes side by side, builds the menus, and relays library changes.

The panes do the work; this module wires them. Every change to the library arrives once, as
``LibraryEditor.changed(Changes)``, and is handed to each pane. Pane sizes, table columns and
sort order are kept in QSettings between runs.

Shortly after start, and after each change that adds or changes items, the notices of the
records not read yet (a library from before notice flags, items just imported or updated) are
read on the task runner (``read_notices``): Retracted & Corrected's count and view are right
without holding the window up. A copy or drag of citations that holds a retracted item says
so in a bar above the table (citation_warning.py).

The first start opens the window at FIRST_SHARE of the screen's free area, centred, with the
item table the widest pane and its Title, Creators, Year and Journal in view; later starts
restore the last geometry. The toolbar holds the actions people reach for, each with a themable
icon (resources.themed_icon) and its shortcut in the tooltip, and the quick search at its right.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

import refman
from refman.formats import EXPORT_FORMATS, READ_FORMATS
from refman.gui import dialogs, focus, keys, place, preferences
from refman.gui.attachment_actions import AttachmentActions
from refman.gui.citation_warning import CitationWarning
from refman.gui.detail_pane import DetailPane
from refman.gui.duplicates import DuplicatesController
from refman.gui.hidden_items import HiddenItemsBar
from refman.gui.item_actions import ItemActions
from refman.gui.item_table import ItemTableModel, ItemTableView
from refman.gui.live_exports import LiveExportRunner
from refman.gui.pdf_import import PdfImporter, split_import_paths
from refman.gui.resources import SAMPLE_RECORD, icon, themed_icon
from refman.gui.retrieving import MetadataRetriever
from refman.gui.search_box import SearchBox
from refman.gui.search_message import SearchMessage
from refman.gui.sidebar import DUPLICATES, FLAGGED, FLAGGED_VIEW, TRASH, UNFILED, Sidebar, Source
from refman.gui.sidebar_searches import SEARCH
from refman.gui.tag_colours import toggle_coloured_tag
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.gui.undo import LibraryEditor
from refman.gui.viewer_tabs import ViewerTabs
from refman.library import Changes, ImportBatch, Library, UndoneImport, file_settings
from refman.model import CollectionId, RefmanError, ViewQuery

if TYPE_CHECKING:  # imported on first use: see importer() and add_by_identifier()
    from refman.gui.add_identifiers import AddByIdentifierDialog
    from refman.gui.find_pdf import FindPdfController
    from refman.gui.importing import ImportController
    from refman.gui.updating import UpdateController

# The default citation style compiles in the background this long after start-up: after the
# first paint, before the user has picked an item to see its citation.
STYLE_WARM_UP_DELAY_MS = 1000
# The notices not read yet are read this long after start-up (after the first paint and the
# style's warm-up), and this long after the last of a run of changes.
NOTICES_DELAY_MS = 1500
PDF_TEXT_DELAY_MS = 2000  # after the first paint and the notices' start
NOTICES_AFTER_CHANGES_MS = 500
_KEYS = QKeySequence.StandardKey
# The first window takes this share of the screen's free area, centred; the panes share its
# width so (sidebar, items, detail): the item table is the widest.
FIRST_SHARE = 0.85
PANE_SHARES = (0.15, 0.57, 0.28)
SEARCH_BOX_WIDTH = 26  # the toolbar's search box, in average character widths
ADD_BY_IDENTIFIER = "Add by &Identifier…"
NEW_ITEM = "&New Item…"
SAVE_SEARCH = "Save &Search…"
NEW_ITEM_TYPE_KEY = "new_item/type"  # the type last chosen in New Item, offered first next time
# Menu entries that only write to the library: off when it is open read-only.
READ_ONLY_DISABLED = {
    *("&Import…", "Import from &Clipboard", "Undo Import"),
    *("&New Collection…", "Empty Trash…", SAVE_SEARCH),
    *(ADD_BY_IDENTIFIER, NEW_ITEM, "New &Note"),
    "&Merge All Duplicates…",
}


def import_file_filter() -> str:
    """The file dialog's filter: every format refman reads, each one alone, any file. "Any file"
    is there because the content decides the format (a RIS file saved as .txt)."""
    readers = list(READ_FORMATS.values())
    every = sorted({f"*{ext}" for f in readers for ext in f.extensions} | {"*.pdf"})
    each = [f"{f.name} ({' '.join('*' + ext for ext in f.extensions)})" for f in readers]
    pdfs = "PDFs (*.pdf)"  # each to its reference, the PDF attached (pdf_import.py)
    first = f"Reference files and PDFs ({' '.join(every)})"
    return ";;".join([first, *each, pdfs, "All files (*)"])


class MainWindow(QMainWindow):
    """Sidebar | search box over the item table | detail pane."""

    def __init__(self, library: Library, settings: QSettings | None = None):
        super().__init__()
        self.library = library
        self.settings = settings if settings is not None else QSettings()
        self.editor = LibraryEditor(library, self)
        # Every job off the GUI thread (imports, exports, the style's warm-up) runs here.
        self.tasks = TaskRunner(library.path, self)
        self.add_dialog: AddByIdentifierDialog | None = None  # made on first use, then kept
        self.query = ViewQuery()
        self._importer: ImportController | None = None
        self._pdf_importer: PdfImporter | None = None
        self.updater: UpdateController | None = None  # Update from PubMed, made on first use
        self.pdf_finder: FindPdfController | None = None  # Find Available PDF, on first use
        # The default citation style's id, read when something is rendered.
        self.citation_style = partial(preferences.default_style, self.settings)
        self.setWindowTitle(f"{library.path.stem} — refman")
        self.setWindowIcon(icon("refman"))
        self._build_panes()
        self.item_actions = ItemActions(self.editor, self.table, self.sidebar, self.citation_style)
        # Retrieve Metadata, on the task runner (gui/retrieving.py).
        self.retriever = MetadataRetriever(
            self.editor, self.tasks, self.settings, self, status=self._show_status
        )
        self._add_attachment_actions()
        self._build_menus()
        self._build_focus_chain()
        self._connect()
        self.item_actions.update_requested.connect(self.update_from_pubmed)
        self.item_actions.find_pdf_requested.connect(self.find_available_pdf)
        self._connect_attachments()
        self._restore_settings()
        self.table_model.set_query(self.query)
        QTimer.singleShot(STYLE_WARM_UP_DELAY_MS, self, self._warm_up_style)
        self._start_reading_notices()
        self._start_live_exports()
        self.duplicates.finder.find_soon()  # the sidebar's count, once the window is up
        # Where the user was: expanded collections and the place now, the items selected once
        # the style is compiled (_warm_up_style).
        self._restored_ids = place.restore(self.settings, library.path, self.sidebar)
        if library.read_only:
            self.show_read_only()
        if library.storage_warning:
            self.show_storage_warning()

    def _build_panes(self) -> None:
        self.sidebar = Sidebar(self.editor)
        self.search_box = SearchBox()
        self.table_model = ItemTableModel(self.library, self)
        self.table_model.citation_style = self.citation_style
        self.table = ItemTableView(self.table_model)
        self.detail = DetailPane(self.editor, citation_style=self.citation_style)
        self.detail.pdf_passage = self.table_model.pdf_passage  # "Found in paper.pdf: ..."
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        self.citation_warning = CitationWarning(self.library)
        layout.addWidget(self.citation_warning)
        self.hidden_items = HiddenItemsBar()  # new items that the view on show hides
        layout.addWidget(self.hidden_items)
        self.search_message = SearchMessage()  # directly above the table, wherever the box is
        layout.addWidget(self.search_message)
        layout.addWidget(self.table)
        # Duplicate Items: its groups take the table's place, its merge pane the detail pane's.
        self.duplicates = DuplicatesController(self.editor, self.tasks, self)
        layout.addWidget(self.duplicates.view)
        self.right_pane = QStackedWidget()
        self.right_pane.addWidget(self.detail)
        self.right_pane.addWidget(self.duplicates.pane)
        self._show_on_the_right(self.detail)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for pane in (self.sidebar, centre, self.right_pane):
            self.splitter.addWidget(pane)
        self.splitter.setSizes([220, 700, 380])
        self.splitter.setStretchFactor(1, 1)
        # The library is the first tab; each PDF opened in the viewer gets its own beside it.
        self.viewer_tabs = ViewerTabs(
            self.splitter,
            self.editor,
            self.citation_style,
            base_folder=lambda: file_settings.base_folder(self.library.path),
        )
        self.setCentralWidget(self.viewer_tabs)
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)

    def _show_on_the_right(self, page: QWidget) -> None:
        """The detail pane or the merge pane; the hidden one's size policy is Ignored, so that
        its minimum width (the merge pane's buttons) does not widen the right pane."""
        for each in (self.detail, self.duplicates.pane):
            policy = QSizePolicy.Policy.Preferred if each is page else QSizePolicy.Policy.Ignored
            each.setSizePolicy(policy, policy)
        self.right_pane.setCurrentWidget(page)

    def _build_focus_chain(self) -> None:
        """Tab and Shift+Tab go round the panes: collection tree, tag filter and list, search
        box, item table, detail pane (its tabs, then its fields), and back to the tree."""
        focus.chain(self._tab_stops())
        views = [self.sidebar.tree, self.sidebar.tags.view, self.table]
        self.context_menu_keys = keys.ContextMenuKeys(self, views)

    def _tab_stops(self) -> list[QWidget]:
        """The widgets Tab visits, in order (hidden ones are skipped when Tab is pressed)."""
        sidebar = [self.sidebar.tree, *focus.tab_stops(self.sidebar.tags)]
        bars = [*focus.tab_stops(self.citation_warning), *focus.tab_stops(self.hidden_items)]
        centre = [self.search_box, *bars, self.table]
        centre.append(self.table.placeholder.add_sample)  # shown in an empty library
        return [*sidebar, *centre, *self.detail.focus_chain()]

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 (Qt's name)
        """Tab and Shift+Tab from any pane: the next (or previous) of ``_tab_stops`` that can
        take the keyboard now. Qt's own focus chain cannot be trusted for this: setTabOrder
        moves compound widgets with their children, and panes swapped in and out (the merge
        pane, the empty-view messages) reorder it. A widget not in the list (a note's page,
        a dialog's field) keeps Qt's own order."""
        stops = self._tab_stops()
        current = QApplication.focusWidget()
        index = None
        while current is not None and index is None:
            index = next((n for n, w in enumerate(stops) if w is current), None)
            current = current.parentWidget() if index is None else current
        if index is None:
            return super().focusNextPrevChild(forward)
        step = 1 if forward else -1
        reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
        for offset in range(1, len(stops) + 1):
            widget = stops[(index + step * offset) % len(stops)]
            if widget.isVisible() and widget.isEnabled() and focus.takes_tab(widget):
                widget.setFocus(reason)
                return True
        return super().focusNextPrevChild(forward)

    def _connect(self) -> None:
        self.editor.changed.connect(self.apply)
        self.editor.failed.connect(lambda message: dialogs.show_error(self, message))
        self.sidebar.source_changed.connect(self._on_source_changed)
        self.duplicates.count_changed.connect(self.sidebar.model.set_duplicates_count)
        self.duplicates.finder.found.connect(lambda _groups: self._update_count())
        self.sidebar.tags_changed.connect(lambda tags: self._narrow(tags=tags))
        self.sidebar.files_dropped.connect(self.import_chosen_paths)
        self.search_box.search_changed.connect(lambda text: self._narrow(text=text))
        self.table.selection_changed.connect(self.detail.show_items)
        self.table.paste_requested.connect(self.import_from_clipboard)
        self.table.sample_requested.connect(lambda: self.import_paths([str(SAMPLE_RECORD)]))
        self.table.tag_key_pressed.connect(self.toggle_coloured_tag)
        self.table_model.files_dropped.connect(self._import_dropped_paths)
        self.table_model.text_dropped.connect(self.import_text)
        self.table_model.modelReset.connect(self._update_count)
        self.item_actions.cited.connect(self.citation_warning.check)
        self.item_actions.export_requested.connect(self.export_items)
        self.item_actions.show_in_library_requested.connect(self.show_in_library)
        self.item_actions.view_attachment_requested.connect(self.view_attachment)
        self.viewer_tabs.told.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.viewer_tabs.currentChanged.connect(self._on_tab_changed)
        self.sidebar.export_requested.connect(self.export_collection)
        self.hidden_items.show_requested.connect(self.show_in_library)
        self.table_model.references_dragged.connect(
            lambda ids: self.citation_warning.check(ids, f"Dragged out {_items(len(ids))}")
        )

    def _connect_attachments(self) -> None:
        """The detail pane's Attachments section (attached as the table's files are) and
        Retrieve Metadata."""
        section = self.detail.attachments
        section.attach_requested.connect(self._attach_to_shown_item)
        section.trash_requested.connect(self.editor.trash_attachments)
        section.retrieve_requested.connect(
            lambda: self.retriever.retrieve([section.item_id] if section.item_id else [])
        )
        self.item_actions.retrieve_requested.connect(self.retriever.retrieve)
        self.retriever.retrieved.connect(self._show_retrieved)

    def _attach_to_shown_item(self, paths: list[str]) -> None:
        """Files dropped on the detail pane or chosen with its Attach File…, to its item."""
        item_id = self.detail.attachments.item_id
        if item_id is not None:
            self.attachment_actions.attach(item_id, paths)

    def _show_retrieved(self, report) -> None:
        """Select the references Retrieve Metadata found (their stand-ins went to the Trash)."""
        found = [item for _name, item in report.added + report.attached]
        if found:
            self.reveal(found)

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    # --- menus --------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        items = self.item_actions
        self.add_by_identifier_action = self._action(
            ADD_BY_IDENTIFIER, self.add_by_identifier, QKeySequence("Ctrl+Shift+N")
        )
        self.new_item_action = self._action(NEW_ITEM, self.new_item, _KEYS.New)
        # Ctrl+Shift+I as in Zotero: Ctrl+I is Italic in the note editor.
        self.import_action = self._action(
            "&Import…", self.choose_files_to_import, QKeySequence("Ctrl+Shift+I")
        )
        self.new_collection_action = self._action(
            "&New Collection…", lambda: self.sidebar.new_collection(), None
        )
        self.new_note_action = self._action("New &Note", self.new_note, None)
        self.search_pubmed_action = self._action("Search &PubMed…", self.search_pubmed, None)
        self.save_search_action = self._action(SAVE_SEARCH, self.save_search, None)
        self._add_save_search_button()
        menus: dict[str, list[Any]] = {  # entries as _fill_menu takes them
            "&File": [
                self.new_item_action,
                self.add_by_identifier_action,
                self.new_note_action,
                None,
                self.import_action,
                ("Import from &Clipboard", self.import_from_clipboard, None),
                ("Recent I&mports…", self.show_recent_imports, None),
                ("&Export…", self.export, None),
                ("&Format Document…", self.format_document, None),
                None,
                self.new_collection_action,
                self.save_search_action,
                None,
                self._close_tab_action(),
                ("&Quit", self.close, _KEYS.Quit),
            ],
            "&Edit": [
                *self._undo_actions(),
                ("Undo Import", self.undo_last_import, None),
                None,
                *items.copy_actions,  # Copy Citation, Copy Bibliography, and more copies
                None,
                items.select_all,
                items.remove_from_collection,
                items.trash,
                items.restore,
                items.delete_permanently,
                None,
                items.view_pdf,
                None,
                items.update_from_pubmed,
                items.find_pdf,
                items.retrieve_metadata,
                items.regenerate_keys,
                self.attachment_actions.attach_file,
                None,
                ("Empty Trash…", self.sidebar.empty_trash, None),
                None,
                ("&Find", self.focus_search, _KEYS.Find),
                None,
                self._preferences_action(),
            ],
            "&View": [self._columns_menu(), self.sidebar.tags.show_automatic_action],
            "&Tools": [
                self.search_pubmed_action,
                ("&Merge All Duplicates…", self.duplicates.merge_all, None),
            ],
            "&Help": [("&About refman", self.about, None)],
        }
        for title, entries in menus.items():
            self._fill_menu(self.menuBar().addMenu(title), entries)
        self._build_toolbar()

    def _build_toolbar(self) -> None:
        # The actions people reach for most; each issue's feature adds its own here.
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")  # saveState() needs a name
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.setIconSize(QSize(22, 22))
        for entry in (
            (self.new_collection_action, "new-collection"),
            None,
            (self.new_item_action, "new-item"),
            (self.add_by_identifier_action, "add-identifier"),
            (self.new_note_action, "new-note"),
            (self.attachment_actions.attach_file, "attachment"),
            (self.import_action, "import"),
            None,
            (self.search_pubmed_action, "search-pubmed"),
        ):
            if entry is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(entry[0])
                _give_icon(*entry)
        self._add_search_box(self.toolbar)

    def _add_search_box(self, toolbar: QToolBar) -> None:
        """The quick search at the toolbar's right end, as in Zotero."""
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        width = self.search_box.fontMetrics().averageCharWidth() * SEARCH_BOX_WIDTH
        self.search_box.setMinimumWidth(width)
        self.search_box.setMaximumWidth(width * 2)
        self.search_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search_box.setToolTip(
            f"{self.search_box.placeholderText()} ({_shortcut_text(_KEYS.Find)})"
        )
        toolbar.addWidget(self.search_box)

    def _add_save_search_button(self) -> None:
        """Save Search as a button at the end of the search box, there while it holds text (it
        goes wherever the box goes)."""
        button = self._action(SAVE_SEARCH, self.save_search, None)
        button.setIcon(icon("saved-search"))
        button.setToolTip("Save this search as a smart collection in the sidebar")
        button.setVisible(False)
        self.search_box.addAction(button, QLineEdit.ActionPosition.TrailingPosition)
        self.search_box.textChanged.connect(lambda text: button.setVisible(bool(text.strip())))
        self.save_search_button = button

    def _undo_actions(self) -> list[QAction]:
        stack = self.editor.undo_stack
        undo, redo = stack.createUndoAction(self, "&Undo"), stack.createRedoAction(self, "&Redo")
        keys.set_keys(undo, _KEYS.Undo)
        # Ctrl+Shift+Z everywhere, and Ctrl+Y where the platform binds it (Windows, KDE).
        keys.set_keys(redo, "Ctrl+Shift+Z", _KEYS.Redo)
        return [undo, redo]

    def _close_tab_action(self) -> QAction:
        """Close Tab (Ctrl+W): the PDF tab on show; off on the library's tab."""
        self.close_tab_action = self._action("&Close Tab", self.viewer_tabs.close_current, None)
        keys.set_keys(self.close_tab_action, _KEYS.Close)
        self.close_tab_action.setEnabled(False)
        return self.close_tab_action

    def _preferences_action(self) -> QAction:
        # The role moves it to the application menu on macOS (refman > Settings…).
        action = self._action("&Preferences…", self.show_preferences, _KEYS.Preferences)
        action.setMenuRole(QAction.MenuRole.PreferencesRole)
        return action

    def show_read_only(self) -> None:
        """Say that changes cannot be saved, and turn off the imports, which would only fail."""
        self.setWindowTitle(f"{self.library.path.stem} (read-only) — refman")
        notice = self.library.notice or f"{self.library.path} is open read-only."
        self.read_only_label = QLabel("Read-only: changes cannot be saved")
        self.read_only_label.setToolTip(notice)
        self.statusBar().addPermanentWidget(self.read_only_label)
        for action in self.findChildren(QAction):
            if action.text() in READ_ONLY_DISABLED:
                action.setEnabled(False)

    def show_storage_warning(self) -> None:
        """A library on a network drive or in a synced folder: a mark in the status bar."""
        self.storage_label = QLabel("⚠ Unsafe folder")
        self.storage_label.setToolTip(self.library.storage_warning or "")
        self.statusBar().addPermanentWidget(self.storage_label)

    def explain_storage_once(self) -> None:
        """The storage warning in a dialog, the first time this library is opened there."""
        key = f"warned/storage/{self.library.path}"
        if self.library.storage_warning and not self.settings.value(key, False, type=bool):
            self.settings.setValue(key, True)
            dialogs.show_warning(self, self.library.storage_warning)

    def _columns_menu(self) -> QMenu:
        columns = QMenu("&Columns", self)
        columns.addActions(self.table.column_actions)
        columns.aboutToShow.connect(self.table.sync_column_actions)
        return columns

    def _fill_menu(self, menu: QMenu, entries: list[Any]) -> None:
        """Entries: None (a separator), an action, a submenu, or (text, slot, shortcut)."""
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            elif isinstance(entry, QMenu):
                menu.addMenu(entry)
            elif isinstance(entry, QAction):
                menu.addAction(entry)
            else:
                menu.addAction(self._action(*entry))

    def _action(self, text: str, slot, shortcut) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys.set_keys(action, shortcut)  # a standard key: all the platform's keys for it
        action.triggered.connect(slot)
        return action

    # --- what the table shows -----------------------------------------------------------------

    def _on_source_changed(self, source: Source) -> None:
        self._show_duplicates(source.kind == DUPLICATES)
        self._update_count()
        self._narrow(
            collection=source.collection,
            unfiled=source.kind == UNFILED,
            trashed=source.kind == TRASH,
            tags=(),
            flags=FLAGGED_VIEW if source.kind == FLAGGED else (),
            saved_query=source.search.query if source.kind == SEARCH and source.search else "",
        )

    def _show_duplicates(self, shown: bool) -> None:
        """Duplicate Items' groups and merge pane in place of the table and the detail pane;
        the merge pane gets half the room (its items side by side), given back after."""
        if shown != self.duplicates.shown:
            sizes = self.splitter.sizes()
            if shown:
                self._sizes_before_duplicates = sizes
                room = sizes[1] + sizes[2]
                self.splitter.setSizes([sizes[0], room // 2, room - room // 2])
            elif getattr(self, "_sizes_before_duplicates", None):
                self.splitter.setSizes(self._sizes_before_duplicates)
        self.table.setVisible(not shown)
        self._show_on_the_right(self.duplicates.pane if shown else self.detail)
        self.duplicates.set_shown(shown)

    def save_search(self) -> None:
        """Save Search: the search box's text (asked for when the box is empty) as a saved
        search, named by the user; it is then selected and the box emptied (it shows it)."""
        saved = self.sidebar.save_search(self.search_box.text())
        if saved is not None:
            self.search_box.clear_now()

    def _narrow(self, **changes) -> None:
        self.query = replace(self.query, **changes)
        self.table_model.set_query(self.query)
        self.hidden_items.dismiss()  # another view: what it said may no longer hold

    def apply(self, changes: Changes) -> None:
        """Hand one library change to every pane."""
        self.table_model.apply(changes)
        self.sidebar.apply(changes)
        self.detail.apply(changes)
        self.viewer_tabs.apply(changes)
        self.duplicates.apply(changes)
        self._update_count()
        if changes:  # files kept up to date follow (Keep updated), a moment later
            self.live_exports.schedule()
        if changes.added or changes.changed:  # records to read for notices, perhaps
            self._notices_timer.start()
        elif changes.removed:  # trashed or deleted: the count of flagged items may drop
            self.show_flagged_count()

    def _update_count(self) -> None:
        count = len(self.table_model.ids)  # items: not the rows of their files
        where = " in the Trash" if self.query.trashed else ""
        self.count_label.setText(f"{count} item{'s' * (count != 1)}{where}")
        if self.duplicates.shown:
            groups = len(self.duplicates.finder.groups)
            self.count_label.setText(f"{groups} group{'s' * (groups != 1)} of duplicates")
        if self.table_model.search_problem:  # "?" in the search box: say why nothing shows
            self.count_label.setText(f"No items: {self.table_model.search_problem}")
        self.search_message.show_result(
            self.query.text, count, self.table_model.search_problem, self._place_name()
        )
        self.table.update_placeholder()

    def _place_name(self) -> str:
        """The sidebar's name of the place shown: My Library, a collection, Trash..."""
        name = self.sidebar.tree.currentIndex().data()
        return str(name) if name else "My Library"

    # --- notices (retractions, errata, expressions of concern) --------------------------------

    def _start_reading_notices(self) -> None:
        self._notices_task: Task | None = None
        self._notices_again = False  # changes came while the task ran: read once more
        self._notices_timer = QTimer(self, singleShot=True, interval=NOTICES_AFTER_CHANGES_MS)
        self._notices_timer.timeout.connect(self.read_notices)
        self.show_flagged_count()  # what is kept already, at once
        QTimer.singleShot(NOTICES_DELAY_MS, self, self.read_notices)

    def read_notices(self) -> Task | None:
        """Read the notices of the records not read yet, on the task runner; then show the
        count and the flagged view again. None when another read runs (it reads again after)
        or the library is open read-only (its count reads them in memory)."""
        if self.library.read_only:
            return None
        if self._notices_task is not None:
            self._notices_again = True
            return None
        task = self.tasks.run(
            "Reading notices",
            lambda library, _progress, cancelled: library.notices.read_unread(cancelled),
            mode=WRITE,
        )
        self._notices_task = task
        task.succeeded.connect(self._on_notices_read)
        task.failed.connect(self._on_notices_failed)
        return task

    def _on_notices_read(self, count: int) -> None:
        self._notices_task = None
        if count:
            self.show_flagged_count()
            if self.query.flags:
                self.table_model.reload()
        if self._notices_again:
            self._notices_again = False
            self.read_notices()

    def _on_notices_failed(self, message: str) -> None:
        # Only a head start: the table's marks and the banner read the records themselves.
        self._notices_task = None
        self.statusBar().showMessage(f"Notices not read: {message}", 10_000)

    def show_flagged_count(self) -> None:
        self.sidebar.set_flagged_count(self.library.notices.flagged_count())

    # --- live exports ("Keep updated") ---------------------------------------------------------

    def _start_live_exports(self) -> None:
        """Rewritten on the task runner after changes, and once for those made while the
        window was closed; a target that cannot be written is told in the status line."""
        self.live_exports = LiveExportRunner(self.library, self.tasks, self)
        self.live_exports.failed.connect(self.show_live_export_problem)
        self.live_exports.start()

    def show_live_export_problem(self, message: str) -> None:
        self.statusBar().showMessage(message, 60_000)

    def focus_search(self) -> None:
        """Find (Ctrl+F): the quick search, or the find bar of the PDF on show."""
        pdf = self.viewer_tabs.current_pdf()
        if pdf is not None:
            pdf.open_find()
            return
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- the PDF viewer -----------------------------------------------------------------------

    def view_attachment(self, attachment_id: int) -> None:
        """Show an attachment's PDF in the built-in viewer: its tab, opened now or brought
        forward (a file that cannot be shown is told; one that is not a PDF opens elsewhere)."""
        self.viewer_tabs.view_attachment(attachment_id)

    def _on_tab_changed(self, _index: int) -> None:
        self.close_tab_action.setEnabled(self.viewer_tabs.current_pdf() is not None)

    # --- import and export --------------------------------------------------------------------

    def importer(self) -> ImportController:
        """The ImportController, made on first use (it opens its own library connection)."""
        if self._importer is None:
            from refman.gui.importing import ImportController

            self._importer = ImportController(
                self.tasks,
                self,
                review_wanted=partial(preferences.review_imports, self.settings),
                stop_reviewing=partial(preferences.stop_reviewing_imports, self.settings),
            )
            self._importer.finished.connect(self._on_import_finished)
            self._importer.undone.connect(self._on_import_undone)
        return self._importer

    def choose_files_to_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import Files", "", import_file_filter())
        if paths:
            self.import_chosen_paths(paths)

    def import_paths(self, paths: list[str], collection_id: CollectionId | None = None) -> None:
        """Import files handed to the window (named on start, sent by another refman, the
        sample record): straight in, as the command line's import; PDFs by the PDF import."""
        references, pdfs = split_import_paths(list(paths))
        if pdfs:
            self.import_pdfs(pdfs, collection_id)
        if references or not pdfs:
            self.importer().import_paths(references, collection_id)

    def import_chosen_paths(
        self, paths: list[str], collection_id: CollectionId | None = None
    ) -> None:
        """Import files the user chose or dropped: reviewed first (Preferences); PDFs (and
        folders of PDFs) by the PDF import."""
        references, pdfs = split_import_paths(list(paths))
        if pdfs:
            self.import_pdfs(pdfs, collection_id)
        if references or not pdfs:
            self.importer().import_paths(references, collection_id, review=True)

    def pdf_importer(self) -> PdfImporter:
        """The PdfImporter, made on first use."""
        if self._pdf_importer is None:
            online = partial(preferences.online_settings, self.settings)
            self._pdf_importer = PdfImporter(self.tasks, self, online)
            self._pdf_importer.finished.connect(self._on_pdfs_imported)
        return self._pdf_importer

    def import_pdfs(self, paths: list[str], collection_id: CollectionId | None = None) -> None:
        """PDFs to their references, each PDF attached (library.pdfs), in the background."""
        self.attachment_actions.pause_reading()
        self.pdf_importer().import_pdfs(paths, collection_id)

    def _on_pdfs_imported(self, report) -> None:
        if report is None:
            return
        self.apply(report.changes())
        if report.item_ids:
            self.reveal(report.item_ids)
            self.attachment_actions.read_text()

    def _add_attachment_actions(self) -> None:
        """Attach File…, drops of files on items, and the files' rows (attachment_actions)."""
        self.attachment_actions = AttachmentActions(
            self, self.editor, self.table, self.sidebar, self.tasks
        )
        self.item_actions.file_actions.append(self.attachment_actions.attach_file)
        self.item_actions.file_menu = self.attachment_actions.file_menu
        self.item_actions.trash_files = self.attachment_actions.trash_selected
        QTimer.singleShot(PDF_TEXT_DELAY_MS, self, self._read_unread_pdf_text)

    def _read_unread_pdf_text(self) -> None:
        # PDFs left unread by a quit or a crash while reading (or attached by the command
        # line meanwhile) are read once the window is up, so their words are found.
        if not self.library.read_only and self.library.attachments.has_unread():
            self.attachment_actions.read_text()

    def _import_dropped_paths(self, paths: list[str]) -> None:
        self.import_chosen_paths(paths, self.query.collection)

    def import_text(self, text: str) -> None:
        """Import text pasted or dropped on the window: reviewed first (Preferences)."""
        self.importer().import_text(text, self.query.collection, review=True)

    def import_from_clipboard(self) -> None:
        text = QGuiApplication.clipboard().text()
        if text.strip():
            self.import_text(text)
        else:
            dialogs.show_info(self, "The clipboard holds no text to import.")

    def _on_import_finished(self, report) -> None:
        self.apply(report.changes())
        if report.item_ids:
            self.table.select_ids(report.item_ids)
            hidden = [i for i in report.added if self.table_model.row_of(i) is None]
            self.hidden_items.tell(hidden, self.query)

    def reveal(self, ids: list) -> None:
        """Select ``ids``; when the view on show hides some of them (a collection, a search,
        tags), show My Library unfiltered first, as the new items must be seen."""
        rows = self.table_model.row_of
        if any(rows(item_id) is None for item_id in ids):
            self._show_whole_library()
        self.table.select_ids(ids)

    def show_in_library(self, ids: list) -> None:
        """Show in Library (and the hidden-items bar's Show): My Library unfiltered, with
        ``ids`` selected and the keyboard in the table."""
        self._show_whole_library()
        self.table.select_ids(ids)
        self.table.setFocus()

    def _show_whole_library(self) -> None:
        self.sidebar.select(Source())
        self.sidebar.tags.select([])
        self.search_box.clear_now()
        self._narrow(collection=None, unfiled=False, trashed=False, tags=(), text="")

    # --- new items: by identifier, by hand ----------------------------------------------------

    def add_by_identifier(self) -> None:
        """File > Add by Identifier: the dialog (one for the window, its box kept)."""
        if self.add_dialog is None:
            from refman.gui.add_identifiers import AddByIdentifierDialog

            online = partial(preferences.online_settings, self.settings)
            self.add_dialog = AddByIdentifierDialog(
                self.tasks, online, self, collection=lambda: self.query.collection
            )
            self.add_dialog.added.connect(self._on_identifiers_added)
        self.add_dialog.open_with_clipboard()

    def _on_identifiers_added(self, report) -> None:
        self.apply(report.imported.changes())
        if report.item_ids:
            self.reveal(report.item_ids)

    def new_item(self) -> None:
        """File > New Item: choose the type; the item is made when the user says Create."""
        from refman.gui.new_item import NewItemDialog

        last = str(self.settings.value(NEW_ITEM_TYPE_KEY, "", type=str))
        dialog = NewItemDialog(self, last) if last else NewItemDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.create_item)
        dialog.open()

    def create_item(self, item_type: str) -> None:
        """An empty item of ``item_type`` (undoable), in the collection on show, selected,
        with the keyboard in its Title field."""
        self.settings.setValue(NEW_ITEM_TYPE_KEY, item_type)
        item_id = self.editor.new_item(item_type, self.query.collection)
        if item_id is not None:
            self.reveal([item_id])
            self.detail.focus_title()

    def new_note(self) -> None:
        """File > New Note: a note on the one selected item, in the detail pane's Notes tab."""
        ids = self.table.selected_ids()
        if len(ids) != 1:
            self.statusBar().showMessage("Select one item to add a note to it.", 5000)
            return
        self.detail.new_note()

    def toggle_coloured_tag(self, number: int) -> None:
        """Key 1-9 on the table: the Nth coloured tag on or off the selection (undoable)."""
        message = toggle_coloured_tag(self.editor, self.table.selected_ids(), number)
        if message:
            self.statusBar().showMessage(message, 5000)

    def undo_last_import(self) -> None:
        """Undo the latest import not undone yet, once the user confirms."""
        batch = next((b for b in self.library.imports.list() if not b.undone), None)
        if batch is None:
            dialogs.show_info(self, "There is no import to undo.")
            return
        self.undo_import(batch)

    def undo_import(self, batch: ImportBatch) -> None:
        question = (
            f"Undo this import?\n\n{batch.describe()}\n\nWhat it added is removed and what "
            "it merged is taken back, except in items changed since (those are named)."
        )
        if dialogs.confirm(self, "Undo Import", question, "Undo Import"):
            self.importer().undo_import(batch.id)

    def show_recent_imports(self) -> None:
        from refman.gui.recent_imports import RecentImportsDialog

        dialog = RecentImportsDialog(self.library, self.undo_import, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.importer().undone.connect(dialog.refresh)
        self.recent_imports = dialog
        dialog.open()

    def _on_import_undone(self, undone: UndoneImport) -> None:
        self.apply(undone.changes())
        if undone.removed:
            self.editor.undo_stack.clear()  # undo steps may name items that are gone

    def update_from_pubmed(self, ids: list) -> None:
        """Update from PubMed on these items: fetched on the task runner, then the change
        view (gui/updating.py); the controller is made on first use."""
        if self.updater is None:
            from refman.gui.updating import UpdateController

            self.updater = UpdateController(self.editor, self.tasks, self.settings, self)
        self.updater.update(ids)

    def find_available_pdf(self, ids: list) -> None:
        """Find Available PDF on these items: looked for on the task runner, the PDFs found
        attached, then a summary (gui/find_pdf.py); the controller is made on first use."""
        if self.pdf_finder is None:
            from refman.gui.find_pdf import FindPdfController

            self.pdf_finder = FindPdfController(self.tasks, self.settings, self)
            self.pdf_finder.finished.connect(self._on_pdfs_found)
        self.pdf_finder.find(ids)

    def _on_pdfs_found(self, report) -> None:
        if report is not None:
            self.apply(report.changes())

    def export(self) -> None:
        self._open_export(self.table.selected_ids() or self.table_model.ids)

    def format_document(self):
        """File > Format Document…: a manuscript's citations formatted from the library (one
        dialog for the window, its choices kept)."""
        from refman.gui.format_document import FormatDocumentDialog

        if getattr(self, "_format_dialog", None) is None:
            self._format_dialog = FormatDocumentDialog(self.tasks, self.citation_style(), self)
        self._format_dialog.show()
        self._format_dialog.raise_()
        return self._format_dialog

    def export_items(self, ids: list, fmt: str) -> None:
        """Export Items… and Create Bibliography from Items… of the context menu: the export
        dialog on the items, in a data format or as a bibliography."""
        self._open_export(ids, fmt=fmt)

    def export_collection(self, cid: CollectionId, fmt: str) -> None:
        """The collection tree's Export Collection… and Create Bibliography from Collection…"""
        query = ViewQuery(collection=cid)
        ids = self.library.items.search(query)
        self._open_export(ids, fmt=fmt, view=(query, ids))

    def _open_export(self, ids, *, fmt: str | None = None, view=None):
        # Imported on first use: the dialog and its style picker are not needed to start.
        from refman.gui import export_dialog

        view = view or (self.query, list(self.table_model.ids))
        try:
            dialog = export_dialog.show_export_dialog(
                self, self.library, view, ids, self.citation_style(), self.tasks
            )
        except RefmanError as exc:
            dialogs.show_error(self, str(exc))
            return None
        if fmt is not None:
            dialog.set_format(fmt)
            if EXPORT_FORMATS[fmt].styled:
                dialog.setWindowTitle("Create Bibliography")
        return dialog

    def search_pubmed(self):
        """Open Search PubMed (one dialog, kept with its results while the window lives)."""
        from refman.gui.pubmed_search import PubMedSearchDialog

        dialog = self.findChild(PubMedSearchDialog)
        if dialog is None:
            dialog = PubMedSearchDialog(self, self)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.query.setFocus()
        return dialog

    def show_preferences(self) -> None:
        dialog = preferences.show_preferences(self, self.settings, self.library)
        dialog.accepted.connect(self.detail.refresh_citation)
        picker_server = getattr(self, "cayw", None)  # gui/cayw.serve gives it (app.py)
        if picker_server is not None:
            dialog.accepted.connect(picker_server.restart)

    def about(self) -> None:
        dialogs.show_info(
            self,
            f"refman {refman.__version__}\n\n"
            "A reference manager for literature collected from PubMed.",
        )

    # --- settings -----------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        if s.value("window/geometry") is None:  # the first start: no earlier run to follow
            self.place_first(s.value("table/header") is None)
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/splitter", self.splitter.restoreState),
            ("window/sidebar", self.sidebar.restoreState),
            ("table/header", self.table.restore_header),
        ):
            value = s.value(key)
            if value is not None:
                restore(value)
        show_automatic = bool(s.value("tags/show_automatic", True, type=bool))
        self.sidebar.tags.show_automatic_action.setChecked(show_automatic)

    def place_first(self, fit_columns: bool = True, area: QRect | None = None) -> None:
        """The first start's window: FIRST_SHARE of the screen's free area (``area``, the
        window's screen's by default), centred, the panes in PANE_SHARES of its width, and (in
        a new library) the columns fitted to the table."""
        if area is None:
            area = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        frame = QRect(0, 0, round(area.width() * FIRST_SHARE), round(area.height() * FIRST_SHARE))
        frame.moveCenter(area.center())
        self.setGeometry(frame)
        sizes = [round(frame.width() * share) for share in PANE_SHARES]
        self.splitter.setSizes(sizes)
        if fit_columns:
            self.table.fit_columns(sizes[1])

    def _warm_up_style(self) -> None:
        """Compile the default style in the background; then select the items selected when
        the library was last closed (their citation would have compiled it on this thread)."""
        task = preferences.warm_up(self.settings, self.tasks)
        task.succeeded.connect(self._select_restored)
        task.failed.connect(self._select_restored)

    def restoring_selection(self) -> bool:
        """True until the items selected when the library was last closed are selected again
        (or found gone, or passed over for what the user selected since)."""
        return bool(self._restored_ids)

    def _select_restored(self, *_result) -> None:
        ids, self._restored_ids = self._restored_ids, []
        if ids and not self.table.selected_ids():  # not over what the user selected since
            self.table.select_ids(ids)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/sidebar", self.sidebar.saveState())
        s.setValue("table/header", self.table.horizontalHeader().saveState())
        s.setValue("tags/show_automatic", self.sidebar.tags.show_automatic_action.isChecked())
        # Items still to be selected (closed before the style's warm-up ended) are kept too.
        selected = self.table.selected_ids() or self._restored_ids
        place.save(s, self.library.path, self.sidebar, selected)
        s.sync()

    def closeEvent(self, event) -> None:
        self.detail.flush()
        self.viewer_tabs.flush()
        self.save_settings()
        super().closeEvent(event)


def _give_icon(action: QAction, name: str) -> None:
    """A toolbar action's icon (the theme's, else refman's) and a tooltip that names it and its
    shortcut: "New Item (Ctrl+N)"."""
    action.setIcon(themed_icon(name))
    tip = action.text().replace("&", "").rstrip("…")
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)


def _shortcut_text(key: QKeySequence.StandardKey) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"

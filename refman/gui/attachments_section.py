"""The detail pane's Attachments section: the files kept with the item on show (issue 15).

Each attachment is a row: an icon (PDF or other file), its name, its size, "linked" for a file
kept where it was, and, in the theme's warning colour, what is wrong with it: "missing" with
the path looked at, "scanned: no text to search" for a PDF without a text layer, "not a PDF"
for a file named .pdf that is none, or why its text could not be read. A double-click opens the
file in the system's viewer; the buttons and the context menu Open it, Show File (its folder),
View it in the built-in viewer (when the window has one: ``view_attachment``) and Move it to
the Trash (undoable; Delete in the list does it too). "Attach File…" asks for files; the pane
also takes files dropped on it.

Items made from a PDF whose reference was not found (tagged "needs lookup") get a note with
Retrieve Metadata above the list. The section only asks (signals); the window attaches
(gui/attachment_actions.py, as for the table) and looks up (gui/retrieving.py) on its task
runner, and trashes through the undo stack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from refman.gui import attachment_files, theme
from refman.library import Library, file_settings
from refman.library.attachments import PDF, AttachmentRow
from refman.library.pdfs import NEEDS_LOOKUP
from refman.model import ItemId, Reference, RefmanError

log = logging.getLogger(__name__)

ID_ROLE = Qt.ItemDataRole.UserRole
SCANNED = "scanned: no text to search"
NOT_A_PDF = "not a PDF"
NO_TEXT_STATE = "no text"  # store.attachments.NO_TEXT: a PDF without a text layer
NOT_READ = "not read: "  # the start of a text state that says why a PDF was not read
LOOKUP_NOTE = (
    "This item was made from a PDF whose reference was not found (offline, or no DOI or PMID "
    "in it). Retrieve Metadata looks it up again."
)


def choose_files(parent: QWidget) -> list[str]:
    """The files the user picks to attach (tests replace this)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, "Attach Files", "", "All files (*)")
    return paths


def size_text(size: int) -> str:
    """"493 bytes", "481.8 KB", "1.6 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class Shown:
    """One attachment as the section shows it: its row, where its file is, what is wrong."""

    row: AttachmentRow
    path: Path

    @property
    def missing(self) -> bool:
        return not self.path.is_file()

    @property
    def is_pdf(self) -> bool:
        return self.row.content_type == PDF

    def details(self) -> str:
        """Its size, and "linked" for a file kept where it was."""
        return size_text(self.row.size) + (" · linked" if self.row.linked else "")

    def warnings(self) -> list[str]:
        """What is wrong with it, in plain words; none for a sound file."""
        if self.missing:
            return [f"missing: {self.path}"]
        found = []
        if self.row.name.lower().endswith(".pdf") and not self.is_pdf:
            found.append(NOT_A_PDF)
        if self.row.text_state == NO_TEXT_STATE:
            found.append(SCANNED)
        elif self.row.text_state.startswith(NOT_READ):
            found.append(f"text {self.row.text_state}")
        return found


class AttachmentRowWidget(QWidget):
    """One row of the list: icon, name, size and marks, and the warnings below them."""

    def __init__(self, shown: Shown, parent: QWidget | None = None):
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setPixmap(file_icon(shown.is_pdf).pixmap(20, 20))
        self.name = QLabel(shown.row.name, wordWrap=True)  # a long name wraps: the pane is narrow
        self.name.setObjectName("attachment_name")
        self.details = QLabel(shown.details())
        self.details.setEnabled(False)  # the palette's muted text
        self.warning = QLabel("; ".join(shown.warnings()), wordWrap=True)
        self.warning.setObjectName("attachment_warning")
        self.warning.setVisible(bool(shown.warnings()))
        self._style()
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name)
        text.addWidget(self.details)
        text.addWidget(self.warning)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        self.setToolTip(str(shown.path))

    def _style(self) -> None:
        theme.set_style(self.warning, f"color: {theme.error_text_colour()}")

    def event(self, event) -> bool:
        if theme.palette_changed(event):  # light and dark follow the system
            self._style()
        return super().event(event)


def file_icon(is_pdf: bool) -> QIcon:
    """The desktop theme's PDF or plain-file icon, else Qt's own file icon."""
    fallback = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
    return QIcon.fromTheme("application-pdf" if is_pdf else "text-x-generic", fallback)


class AttachmentList(QListWidget):
    """The list of attachments; Delete in it asks to trash the attachment. A key press, not a
    shortcut: the table's Move to Trash owns the Delete shortcut, for items."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete):
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class AttachmentsSection(QGroupBox):
    """The attachments of the item on show, with what can be done to them."""

    attach_requested = Signal(list)  # paths to attach to the item on show
    trash_requested = Signal(list)  # attachment ids to move to the Trash
    retrieve_requested = Signal()  # Retrieve Metadata for the item on show

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__("Attachments", parent)
        self.setObjectName("attachments_section")
        self.library = library
        self.item_id: ItemId | None = None
        self.shown: dict[int, Shown] = {}
        self.list = AttachmentList()
        self.list.setObjectName("attachments")
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._show_menu)
        self.list.delete_pressed.connect(self.trash_selected)
        self.empty = QLabel("No files attached. Drop files here, or Attach File….")
        self.empty.setEnabled(False)
        self._build_lookup_note()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.lookup_note)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addLayout(self.button_row)

    def _build_lookup_note(self) -> None:
        self.lookup_note = QWidget()
        self.lookup_note.setObjectName("lookup_note")
        note = QHBoxLayout(self.lookup_note)
        note.setContentsMargins(0, 0, 0, 0)
        note.addWidget(QLabel(LOOKUP_NOTE, wordWrap=True), 1)
        self.retrieve_button = QPushButton("Retrieve Metadata")
        self.retrieve_button.clicked.connect(self.retrieve_requested)
        note.addWidget(self.retrieve_button, 0, Qt.AlignmentFlag.AlignTop)
        self.lookup_note.hide()

    def _build_buttons(self) -> None:
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        self.show_button = QPushButton("Show File")
        self.show_button.clicked.connect(self.show_selected)
        self.view_button = QPushButton("View")
        self.view_button.clicked.connect(self.view_selected)
        self.trash_button = QPushButton("Move to Trash")
        self.trash_button.clicked.connect(self.trash_selected)
        self.attach_button = QPushButton("Attach File…")
        self.attach_button.clicked.connect(self.choose_and_attach)
        # Two short rows: the pane is often narrow, and a wide row would make it scroll sideways.
        self.button_row = QVBoxLayout()
        rows = ((self.open_button, self.show_button, self.view_button), (self.trash_button,))
        for number, buttons in enumerate(rows):
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch()
            if number == 1:
                row.addWidget(self.attach_button)
            self.button_row.addLayout(row)

    # --- what is shown ------------------------------------------------------------------------

    def show_item(self, ref: Reference) -> None:
        """The attachments of ``ref`` (those in the Trash left out), the first selected."""
        self.item_id = ref.id
        needs_lookup = any(tag.name == NEEDS_LOOKUP for tag in ref.tags)
        self.lookup_note.setVisible(needs_lookup and not self.library.read_only)
        selected = self.selected_id()
        self.list.clear()
        self.shown = {}
        base = self._base()
        rows = self.library.attachments.of([ref.id]).get(ref.id, []) if ref.id else []
        for row in rows:
            if not row.trashed:
                self._add(Shown(row, self.library.attachments.file(row, base)))
        if self.list.count():
            ids = [self.list.item(n).data(ID_ROLE) for n in range(self.list.count())]
            self.list.setCurrentRow(ids.index(selected) if selected in ids else 0)
        self.list.setVisible(bool(self.list.count()))
        self.empty.setVisible(not self.list.count())
        self._fit_list()
        self._update_buttons()

    def _base(self) -> Path | None:
        try:
            return file_settings.base_folder(self.library.path)
        except RefmanError as exc:  # a settings file that cannot be read: absolute paths only
            log.warning("%s", exc)
            return None

    def _add(self, shown: Shown) -> None:
        self.shown[shown.row.id] = shown
        item = QListWidgetItem()
        item.setData(ID_ROLE, shown.row.id)
        widget = AttachmentRowWidget(shown)
        item.setSizeHint(widget.sizeHint())
        self.list.addItem(item)
        self.list.setItemWidget(item, widget)

    def _fit_list(self) -> None:
        """As tall as its rows: the pane scrolls, the list does not."""
        rows = sum(self.list.sizeHintForRow(n) for n in range(self.list.count()))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 2)

    def row_widget(self, row: int) -> AttachmentRowWidget:
        widget = self.list.itemWidget(self.list.item(row))
        assert isinstance(widget, AttachmentRowWidget)
        return widget

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None and item.isSelected() else None

    def _viewer(self):
        """The window's built-in viewer (``view_attachment``), when it has one."""
        return getattr(self.window(), "view_attachment", None)

    def _update_buttons(self) -> None:
        chosen = self.shown.get(self.selected_id() or -1)
        # Without files only Attach File… is offered: a row of greyed buttons says nothing.
        has_files = bool(self.shown)
        for button in (self.open_button, self.show_button, self.trash_button):
            button.setVisible(has_files)
        for button in (self.open_button, self.show_button):
            button.setEnabled(chosen is not None)
        self.view_button.setVisible(has_files and self._viewer() is not None)
        self.view_button.setEnabled(chosen is not None and chosen.is_pdf)
        writable = not self.library.read_only
        self.trash_button.setEnabled(chosen is not None and writable)
        self.attach_button.setEnabled(writable and self.item_id is not None)

    # --- what can be done ---------------------------------------------------------------------

    def open_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            attachment_files.open_attachment(self, self.library, chosen)

    def show_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None:
            attachment_files.show_in_folder(self, self.library, chosen)

    def view_selected(self) -> None:
        chosen, viewer = self.selected_id(), self._viewer()
        if chosen is not None and viewer is not None:
            viewer(chosen)

    def trash_selected(self) -> None:
        chosen = self.selected_id()
        if chosen is not None and not self.library.read_only:
            self.trash_requested.emit([chosen])

    def choose_and_attach(self) -> None:
        if self.item_id is None or self.library.read_only:
            return
        paths = choose_files(self)
        if paths:
            self.attach_requested.emit(list(paths))

    def context_menu(self) -> QMenu:
        """Open, Show File, View, Move to Trash: as the buttons, for the selected row."""
        menu = QMenu(self.list)
        for button in (self.open_button, self.show_button, self.view_button, self.trash_button):
            if button.isVisibleTo(self):
                action = menu.addAction(button.text(), button.click)
                action.setEnabled(button.isEnabled())
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = self.context_menu()
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()

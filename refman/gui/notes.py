"""An item's notes: a list, and a rich-text editor that saves by itself.

A note is saved a second after typing stops, when another note or item is shown, and when
the window closes or the application quits (``flush``): nothing typed is lost. Only the
body of Qt's HTML is stored, so the note's title (its first line) is the text, not a style
sheet.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QTextCharFormat, QTextListFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from refman.gui import dialogs, keys
from refman.gui.undo import LibraryEditor
from refman.model import ItemId, Note, NoteId

SAVE_DELAY_MS = 1000
NOTE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def body_html(document_html: str) -> str:
    """The inside of <body>: what is worth keeping from QTextEdit.toHtml()."""
    found = _BODY.search(document_html)
    return (found.group(1) if found else document_html).strip()


def note_label(note: Note) -> str:
    return note.title or "Untitled note"


class NotesEditor(QWidget):
    """The notes of one item."""

    def __init__(self, editor: LibraryEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.library = editor.library
        self.item_id: ItemId | None = None
        self.note_id: NoteId | None = None
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.flush)
        self._build()

    def _build(self) -> None:
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_note_chosen)
        self.new_button = QPushButton("New Note")
        self.new_button.clicked.connect(self.new_note)
        self.delete_button = QPushButton("Delete Note")
        self.delete_button.clicked.connect(self.delete_note)
        self.text = QTextEdit()
        self.text.setAcceptRichText(True)
        self.text.textChanged.connect(self._on_text_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.list)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self._format_bar())
        bottom_layout.addWidget(self.text)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([100, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_enabled()

    def _format_bar(self) -> QToolBar:
        # The platform's keys (Ctrl+B, Ctrl+I, Ctrl+U) while the text has the keyboard only.
        bar = QToolBar()
        self._format_actions = {}
        for text, tip, slot, key in (
            ("B", "Bold", self._toggle_bold, QKeySequence.StandardKey.Bold),
            ("I", "Italic", self.text.setFontItalic, QKeySequence.StandardKey.Italic),
            ("U", "Underline", self.text.setFontUnderline, QKeySequence.StandardKey.Underline),
        ):
            action = bar.addAction(text)
            action.setCheckable(True)
            keys.set_keys(action, key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.text.addAction(action)  # the widget whose focus turns the key on
            shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({shown})" if shown else tip)
            action.toggled.connect(slot)
            self._format_actions[tip] = action
        bar.addAction("• List", self._make_list)
        self.text.currentCharFormatChanged.connect(self._sync_format_buttons)
        return bar

    def _sync_format_buttons(self, fmt: QTextCharFormat) -> None:
        states = {
            "Bold": fmt.fontWeight() >= QFont.Weight.Bold,
            "Italic": fmt.fontItalic(),
            "Underline": fmt.fontUnderline(),
        }
        for name, on in states.items():
            action = self._format_actions[name]
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)

    def _toggle_bold(self, on: bool) -> None:
        self.text.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)

    def _make_list(self) -> None:
        self.text.textCursor().createList(QTextListFormat.Style.ListDisc)

    # --- showing an item ----------------------------------------------------------------------

    def set_item(self, item_id: ItemId | None) -> None:
        """Show another item's notes, after saving what was typed in this one."""
        self.flush()
        self.item_id = item_id
        self._load_list()

    def _load_list(self, select: NoteId | None = None) -> None:
        notes = self.library.notes.of_item(self.item_id) if self.item_id is not None else []
        self.list.blockSignals(True)
        self.list.clear()
        for note in notes:
            item = QListWidgetItem(note_label(note))
            item.setData(NOTE_ID_ROLE, note.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        chosen = next((n for n in notes if n.id == select), notes[0] if notes else None)
        self._show_note(chosen)

    def _show_note(self, note: Note | None) -> None:
        self.note_id = note.id if note else None
        self.text.blockSignals(True)
        self.text.setHtml(note.html if note else "")
        self.text.document().setModified(False)
        self.text.blockSignals(False)
        for row in range(self.list.count()):
            if self.list.item(row).data(NOTE_ID_ROLE) == self.note_id:
                self.list.blockSignals(True)
                self.list.setCurrentRow(row)
                self.list.blockSignals(False)
        self._update_enabled()

    def _on_note_chosen(self, current: QListWidgetItem | None, _previous=None) -> None:
        self.flush()
        note_id = current.data(NOTE_ID_ROLE) if current else None
        notes = {n.id: n for n in self.library.notes.of_item(self.item_id)} if self.item_id else {}
        self._show_note(notes.get(note_id) if note_id is not None else None)

    def _update_enabled(self) -> None:
        self.new_button.setEnabled(self.item_id is not None)
        self.delete_button.setEnabled(self.note_id is not None)
        self.text.setEnabled(self.note_id is not None)

    # --- saving -------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self.note_id is not None:
            self._save_timer.start()

    def has_unsaved_text(self) -> bool:
        return self.note_id is not None and self.text.document().isModified()

    def flush(self) -> None:
        """Save the note being edited now, if it changed since the last save."""
        self._save_timer.stop()
        note_id = self.note_id
        if note_id is None or not self.has_unsaved_text():
            return
        html = body_html(self.text.toHtml())
        self.text.document().setModified(False)
        saved = self.editor.run_returning(lambda: self.library.notes.update(note_id, html))
        if saved is not None:
            self._relabel(saved)

    def _relabel(self, note: Note) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(NOTE_ID_ROLE) == note.id:
                item.setText(note_label(note))

    def new_note(self) -> None:
        if self.item_id is None:
            return
        self.flush()
        item_id = self.item_id
        note = self.editor.run_returning(lambda: self.library.notes.add(item_id, ""))
        if note is not None:
            self._load_list(select=note.id)
            self.text.setFocus()

    def delete_note(self) -> None:
        if self.note_id is None:
            return
        question = "Delete this note? It cannot be undone."
        if not dialogs.confirm(self, "Delete Note", question, "Delete Note"):
            return
        note_id = self.note_id
        self.note_id = None  # nothing left to save
        self.editor.run(lambda: self.library.notes.delete(note_id))
        self._load_list()

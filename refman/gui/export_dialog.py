"""File > Export…: a format (and a citation style), a scope, a preview; then Save… or Copy.

The scopes are the selected items, what the table shows (a collection, a search result, a tag
filter) and the whole library; a scope that would repeat another is left out. The preview
renders only the first few items of the scope, so changing the format or the style stays quick
whatever the scope. A save or copy of more than ``BACKGROUND_LIMIT`` items renders as a task on
the window's task runner (tasks.py), with its own library connection, as imports do: a
bibliography of 10,000 items takes ten seconds or more, too long to freeze the window.
Smaller ones render on the GUI thread under a wait cursor.

A scope that holds retracted items (or items with an expression of concern) says so under the
scopes, naming them, and Save… or Copy asks before going on, whatever the format: a BibTeX or
RIS file ends up in a manuscript as surely as a bibliography.

"Keep updated" (for the whole library, or a view that is exactly a collection) makes Save… a
live export (library/live_exports.py): stored in the library, written now on the task runner,
and rewritten after each change to what it covers, by the window and the command line alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from refman.formats import EXPORT_FORMATS
from refman.formats import Format as ExportFormat
from refman.gui import dialogs, mime
from refman.gui.busy import busy_cursor
from refman.gui.links import open_link
from refman.gui.style_picker import StylePicker
from refman.gui.tasks import READ, WRITE, Task, TaskRunner
from refman.library import Library
from refman.library.live_exports import COLLECTION, FAILED, SEARCH, Coverage, Outcome
from refman.library.notices import FlaggedItem, warning_lines
from refman.model import ItemId, RefmanError, ViewQuery

log = logging.getLogger(__name__)

PREVIEW_ITEMS = 5
BACKGROUND_LIMIT = 2_000
# Styled formats previewed as they read: the text as text, HTML and RTF as formatted HTML.
PREVIEW_FORMATS = {"text": "text", "html": "html", "rtf": "html"}
WARNING_NAMED = 5  # flagged items named under the scopes; the question names them all


@dataclass(frozen=True)
class Scope:
    """A set of items to export, named for a radio button."""

    name: str
    ids: tuple[ItemId, ...]
    covers: Coverage | None = None  # what a live export of it covers; None: not offered

    @property
    def label(self) -> str:
        return f"{self.name} ({len(self.ids)})"


def view_name(query: ViewQuery, library: Library) -> str:
    """What the table shows, in words; "" when it shows the whole library unfiltered."""
    if query.collection is not None:
        names = {c.id: c.name for c in library.collections.all()}
        place = f"Collection “{names.get(query.collection, '?')}”"
    elif query.flags:
        place = "Retracted & Corrected"
    elif query.saved_query:
        place = f"Saved search “{_saved_search_name(query, library) or query.saved_query}”"
    else:
        place = "Trash" if query.trashed else "Unfiled Items" if query.unfiled else "My Library"
    filters = [f"tagged {', '.join(query.tags)}"] if query.tags else []
    filters += [f"matching “{query.text}”"] if query.text else []
    if place == "My Library" and not filters:
        return ""
    return ", ".join([place, *filters])


def export_scopes(
    library: Library, query: ViewQuery, view_ids: Sequence[ItemId], ids: Sequence[ItemId]
) -> list[Scope]:
    """The selection (when it is not the whole view), the view (``query``, showing
    ``view_ids``), and the whole library."""
    view_ids = list(view_ids)
    scopes = []
    if ids and list(ids) != view_ids:
        scopes.append(Scope("Selected items", tuple(ids)))
    name = view_name(query, library)
    if name:
        scopes.append(Scope(name, tuple(view_ids), _covers(query, library)))
    scopes.append(Scope("Whole library", tuple(library.items.search()), Coverage()))
    return scopes


def _covers(query: ViewQuery, library: Library) -> Coverage | None:
    """What a live export of the view covers: a collection unfiltered, or a saved search
    unfiltered; None for any other view (search text or tags narrow it: not a place that can
    be kept up to date)."""
    if query.collection is not None and query == ViewQuery(collection=query.collection):
        return Coverage(COLLECTION, query.collection)
    if query.saved_query and query == ViewQuery(saved_query=query.saved_query):
        name = _saved_search_name(query, library)
        return Coverage(SEARCH, query=name) if name else None
    return None


def _saved_search_name(query: ViewQuery, library: Library) -> str:
    """The name of the saved search whose query the view runs ("" when none has it now)."""
    return next((s.name for s in library.searches.all() if s.query == query.saved_query), "")


class ExportDialog(QDialog):
    """Format, style, scope and preview; Save… writes a file, Copy puts it on the clipboard."""

    exported = Signal(str)  # what was done, in words (also shown in the dialog)

    def __init__(
        self,
        library: Library,
        scopes: Sequence[Scope],
        style_id: str,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.library = library
        self.scopes = list(scopes)
        self._tasks = tasks
        self._worker: Task | None = None
        # What to do with the texts (or, for a live export, its outcomes).
        self._then: Callable[[list[Any]], None] | None = None
        self._warned: dict[int, list[FlaggedItem]] = {}  # scope number -> its flagged items
        self.setWindowTitle("Export")
        self._build(style_id)
        self._connect()
        self.scope_buttons[0].setChecked(True)
        self._on_format_changed()
        self.resize(960, 620)

    # --- layout -------------------------------------------------------------------------------

    def _build(self, style_id: str) -> None:
        self.format_box = QComboBox()
        for fmt in EXPORT_FORMATS.values():
            self.format_box.addItem(fmt.name, fmt.key)
        self.style_picker = StylePicker(style_id)
        self.style_box = self._group("Style", self.style_picker)
        self.preview_label = QLabel()
        self.preview = QTextBrowser(openLinks=False)  # a link's click goes to open_link
        self.preview.anchorClicked.connect(partial(open_link, self.preview))
        # Data formats are columns of tags: shown in a fixed-width font, bibliographies not.
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._preview_fonts = {False: self.preview.font(), True: fixed}
        self.status = QLabel(wordWrap=True)
        self.flag_warning = QLabel(wordWrap=True)
        self.flag_warning.setObjectName("export_flag_warning")
        self.flag_warning.setStyleSheet("color: #7a0a0a; font-weight: bold;")
        self.flag_warning.setTextFormat(Qt.TextFormat.PlainText)
        top = QFormLayout()
        top.addRow("Format", self.format_box)
        top.addRow("Items", self._scope_box())
        top.addRow("", self.flag_warning)
        self.keep_updated = QCheckBox("Keep updated: rewrite the file whenever these items change")
        self.keep_updated.setToolTip(
            "A live export, for LaTeX, Pandoc and Markdown editors: refman rewrites the saved "
            "file after every change to the whole library or the collection. Listed in "
            "Preferences, where it can be removed."
        )
        top.addRow("", self.keep_updated)
        panes = QHBoxLayout()
        panes.addWidget(self.style_box, 2)
        panes.addWidget(self._group("Preview", self.preview_label, self.preview), 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(panes, 1)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())

    def _group(self, title: str, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    def _scope_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scope_group = QButtonGroup(self)
        self.scope_buttons = []
        for n, scope in enumerate(self.scopes):
            button = QRadioButton(scope.label)
            self.scope_group.addButton(button, n)
            self.scope_buttons.append(button)
            layout.addWidget(button)
        return box

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.copy_button = QPushButton("Copy to Clipboard")
        self.save_button = QPushButton("Save…", default=True)
        for button in (self.copy_button, self.save_button):
            self.buttons.addButton(button, role)
        return self.buttons

    def _connect(self) -> None:
        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self.style_picker.style_changed.connect(self.update_preview)
        self.scope_group.idToggled.connect(
            lambda _id, checked: self.update_preview() if checked else None
        )
        self.buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.save_button.clicked.connect(self.save)

    # --- choices ------------------------------------------------------------------------------

    def export_format(self) -> ExportFormat:
        return EXPORT_FORMATS[self.format_box.currentData()]

    def set_format(self, key: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(key))

    # Not QWidget.style() (the widget's QStyle, which Qt reads in C++, never through Python).
    def style(self) -> str | None:  # type: ignore[override]
        """The chosen style's id, or None for a format that has no style."""
        return self.style_picker.style() if self.export_format().styled else None

    def scope(self) -> Scope:
        return self.scopes[max(self.scope_group.checkedId(), 0)]

    def _on_format_changed(self, *_args) -> None:
        self.style_box.setVisible(self.export_format().styled)
        self.update_preview()

    # --- preview ------------------------------------------------------------------------------

    def flagged(self) -> list[FlaggedItem]:
        """The scope's retracted items and items with an expression of concern."""
        number = max(self.scope_group.checkedId(), 0)
        if number not in self._warned:
            self._warned[number] = self.library.notices.cited_warnings(self.scope().ids)
        return self._warned[number]

    def _show_flag_warning(self) -> None:
        lines = warning_lines(self.flagged(), "in these items", limit=WARNING_NAMED)
        self.flag_warning.setText("\n".join(f"⚠ {line}" for line in lines))
        self.flag_warning.setVisible(bool(lines))

    def _go_on(self) -> bool:
        """True when the scope holds nothing to warn of, or the user exports it anyway."""
        lines = warning_lines(self.flagged(), "in the export")
        if not lines:
            return True
        question = "\n\n".join([*lines, "Export them anyway?"])
        return dialogs.confirm(self, "Retracted Items", question, "Export Anyway")

    def update_preview(self, *_args) -> None:
        self._show_flag_warning()
        live = self.scope().covers is not None and not self.library.read_only
        self.keep_updated.setEnabled(live and self._worker is None)
        if not live:
            self.keep_updated.setChecked(False)
        ids = self.scope().ids
        shown = ids[:PREVIEW_ITEMS]
        fmt = self.export_format()
        preview_fmt = PREVIEW_FORMATS.get(fmt.key, fmt.key)
        self.preview_label.setText(self._preview_caption(len(shown), len(ids)))
        for button in (self.copy_button, self.save_button):
            button.setEnabled(bool(ids) and self._worker is None)
        try:
            text = (
                self.library.exporting.export(shown, preview_fmt, style=self.style())
                if shown
                else ""
            )
        except RefmanError as exc:
            self.preview.setPlainText(f"This cannot be shown: {exc}")
            return
        self.preview.setFont(self._preview_fonts[not fmt.styled])
        if preview_fmt == "html":
            self.preview.setHtml(text)
        else:
            self.preview.setPlainText(text)

    @staticmethod
    def _preview_caption(shown: int, total: int) -> str:
        if total == 0:
            return "Nothing to export: no items."
        if shown < total:
            return f"The first {shown} of {total} items:"
        return f"{total} item{'s' * (total != 1)}:"

    # --- save and copy ------------------------------------------------------------------------

    def save(self) -> None:
        if not self._go_on():
            return
        fmt = self.export_format()
        path, _ = QFileDialog.getSaveFileName(
            self, "Export", f"references{fmt.extension}", f"{fmt.name} (*{fmt.extension})"
        )
        if not path:
            return
        if not Path(path).suffix:
            path += fmt.extension
        if self.keep_updated.isChecked():
            self._save_live(path, fmt)
            return
        count = len(self.scope().ids)
        self._render([fmt.key], lambda texts: self._write(path, texts[0], count))

    def _save_live(self, path: str, fmt: ExportFormat) -> None:
        """Store the live export and write it now, on the task runner; a first write that
        fails keeps nothing and says why."""
        covers = self.scope().covers
        assert covers is not None  # the box is off for other scopes
        try:
            export = self.library.live_exports.add(path, fmt.key, style=self.style(), covers=covers)
        except RefmanError as exc:
            dialogs.show_error(self, str(exc))
            return

        def job(library: Library, _progress, _cancelled) -> list[Outcome]:
            return library.live_exports.refresh([export.id], force=True)

        self._then = self._live_written
        self._worker = self._tasks.run("Live export", job, mode=WRITE)
        self._worker.succeeded.connect(self._on_worker_succeeded)
        self._worker.failed.connect(self._on_live_failed)
        self._live_id = export.id
        self._set_busy(True, f"Writing {path}…")

    def _live_written(self, outcomes: list[Outcome]) -> None:
        if not outcomes:  # removed meanwhile (in Preferences, by the command line)
            self._report("The live export was removed before it was written.")
            return
        (outcome,) = outcomes
        if outcome.status == FAILED:
            self._forget_live()
            dialogs.show_error(self, f"{outcome.message} It is not kept up to date.")
            return
        self._report(
            f"Saved {_items(outcome.count)} to {outcome.export.path}; it is kept up to date "
            "(Preferences lists it)."
        )

    @Slot(str)
    def _on_live_failed(self, message: str) -> None:
        self._forget_live()
        self._on_worker_failed(message)

    def _forget_live(self) -> None:
        try:
            self.library.live_exports.remove(self._live_id)
        except RefmanError:
            log.warning("A live export that was not written could not be removed")

    def _write(self, path: str, text: str, count: int) -> None:
        try:  # whole or not at all: a full disk leaves the file as it was
            self.library.exporting.write(path, text)
        except RefmanError as exc:
            dialogs.show_error(self, str(exc))
            return
        self._report(f"Saved {_items(count)} to {path}.")

    def copy_to_clipboard(self) -> None:
        """A bibliography goes as text and HTML together; other formats as their text."""
        if not self._go_on():
            return
        fmt = self.export_format()
        fmts = ["text", "html"] if fmt.styled else [fmt.key]
        count = len(self.scope().ids)
        self._render(fmts, lambda texts: self._copy(texts, count))

    def _copy(self, texts: list[str], count: int) -> None:
        QGuiApplication.clipboard().setMimeData(mime.clipboard_data(*texts))
        self._report(f"Copied {_items(count)} to the clipboard.")

    def _report(self, message: str) -> None:
        self.status.setText(message)
        self.exported.emit(message)

    # --- rendering, here or in a worker -------------------------------------------------------

    def _render(self, fmts: list[str], then: Callable[[list[str]], None]) -> None:
        ids, style = self.scope().ids, self.style()
        if len(ids) > BACKGROUND_LIMIT:
            self._start_worker(ids, fmts, style, then)
            return
        try:
            with busy_cursor():
                texts = [self.library.exporting.export(ids, fmt, style=style) for fmt in fmts]
        except RefmanError as exc:
            dialogs.show_error(self, str(exc))
            return
        then(texts)

    def _start_worker(
        self, ids, fmts: list[str], style: str | None, then: Callable[[list[str]], None]
    ) -> None:
        self._then = then
        ids = list(ids)

        def job(library: Library, _progress, _cancelled) -> list[str]:
            return [library.exporting.export(ids, fmt, style=style) for fmt in fmts]

        self._worker = self._tasks.run("Export", job, mode=READ)
        self._worker.succeeded.connect(self._on_worker_succeeded)
        self._worker.failed.connect(self._on_worker_failed)
        self._set_busy(True, f"Exporting {_items(len(ids))}…")

    @Slot(object)
    def _on_worker_succeeded(self, texts: list[str]) -> None:
        then = self._then
        self._worker_done()
        if then is not None:  # set with the task: a task succeeds or fails once
            then(texts)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self._worker_done()
        dialogs.show_error(self, message)

    def _worker_done(self) -> None:
        if self._worker is not None:
            self._worker.wait()  # the job has returned: only the thread's last steps are left
        self._worker = self._then = None
        self._set_busy(False, "")

    def _set_busy(self, busy: bool, message: str) -> None:
        self.status.setText(message)
        widgets = (self.copy_button, self.save_button, self.format_box, self.style_box)
        for widget in (*widgets, self.keep_updated):
            widget.setEnabled(not busy)
        for button in self.scope_buttons:
            button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def is_exporting(self) -> bool:
        return self._worker is not None

    def done(self, result: int) -> None:
        if self.is_exporting():  # closing would lose the result: wait for it
            return
        super().done(result)

    def closeEvent(self, event) -> None:
        if self.is_exporting():
            event.ignore()
            return
        super().closeEvent(event)


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


def show_export_dialog(
    parent: QWidget,
    library: Library,
    view: tuple[ViewQuery, Sequence[ItemId]],
    ids: Sequence[ItemId],
    style_id: str,
    tasks: TaskRunner,
) -> ExportDialog:
    """Open the export dialog over the window: ``view`` is what the table shows (its query
    and ids), ``ids`` the selection (or the whole view), ``style_id`` the default style;
    large exports run on the window's ``tasks``."""
    with busy_cursor():  # the first look at the style collection takes a second
        scopes = export_scopes(library, *view, ids)
        dialog = ExportDialog(library, scopes, style_id, tasks, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

"""The window's actions on files kept with items (issue 15): Attach File…, files dropped on an
item, and what a file's row in the item table offers (Open, Show File, View in refman, Move to
Trash; a double-click opens it).

Attaching copies the files on the window's task runner, so that a big file does not freeze
the window; the item's files then show under it, a file that could not be attached is told
with why, and the text of the new PDFs is read in another task (``read_text``) for the quick
search. Moving a file to the Trash is undoable (undo.py, TrashAttachmentsCommand); Delete on a
file's row does it too (item_actions.py asks ``trash_selected``).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from refman.gui import dialogs
from refman.gui.attachment_files import open_attachment, show_in_folder
from refman.gui.item_table import ItemTableView
from refman.gui.sidebar import TRASH, Sidebar
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.gui.undo import LibraryEditor
from refman.library import Changes, Library, file_settings
from refman.library.attachments import PDF, AttachReport, TextReport
from refman.model import ItemId, RefmanError

SELECT_ONE = "Select one item to attach files to it."


class AttachmentActions(QObject):
    """Attach File… and the files' rows of the window's item table."""

    attached = Signal(object)  # AttachReport, or None when the attach failed; after it is told
    text_read = Signal(object)  # TextReport: the PDFs' words are in the index

    def __init__(
        self,
        window: QMainWindow,
        editor: LibraryEditor,
        table: ItemTableView,
        sidebar: Sidebar,
        tasks: TaskRunner,
    ):
        """``window`` shows the messages and may have ``view_attachment`` (the viewer)."""
        super().__init__(window)
        self.window = window
        self.editor = editor
        self.library = editor.library
        self.table = table
        self.sidebar = sidebar
        self.tasks = tasks
        self.attach_file = QAction("Attach File…", self)
        self.attach_file.setToolTip("Attach files to the selected item")
        self.attach_file.triggered.connect(self.choose_files)
        self._reading: Task | None = None
        self._read_again = False
        self._read_for: set[ItemId] = set()  # items whose new PDFs wait to be read
        self.table.attachment_activated.connect(self.open)
        self.table.model().files_dropped_on_item.connect(self.attach)
        self.table.selection_changed.connect(self.update_enabled)
        sidebar.source_changed.connect(self.update_enabled)
        self.update_enabled()

    def update_enabled(self, *_args) -> None:
        one = len(self.table.selected_ids()) == 1
        in_trash = self.sidebar.source.kind == TRASH
        self.attach_file.setEnabled(one and not self.library.read_only and not in_trash)
        self.attach_file.setVisible(not in_trash)

    # --- attaching ----------------------------------------------------------------------------

    def choose_files(self) -> None:
        """Attach File…: files chosen in a dialog, attached to the one item selected."""
        ids = self.table.selected_ids()
        if len(ids) != 1:
            self.window.statusBar().showMessage(SELECT_ONE, 5000)
            return
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Attach Files", "", "All files (*)")
        if paths:
            self.attach(ids[0], paths)

    def attach(self, item_id: ItemId, paths: list[str]) -> None:
        """Copy the files to the item on the task runner; then show them under it."""
        if self.library.read_only:
            dialogs.show_error(
                self.window, "This library is open read-only: nothing can be attached."
            )
            return
        files = list(paths)
        try:  # Preferences > Files: copy or link, and this machine's base folder
            chosen = file_settings.load(self.library.path)
        except RefmanError as exc:  # a settings file that cannot be read: said, nothing done
            dialogs.show_error(self.window, str(exc))
            return
        self.pause_reading()

        def job(library: Library, *_) -> AttachReport:
            return library.attachments.attach(item_id, files, link=chosen.link, base=chosen.base)

        task = self.tasks.run("Attach files", job, mode=WRITE)
        task.succeeded.connect(lambda report: self._on_attached(item_id, report))
        task.failed.connect(self._on_attach_failed)

    def _on_attached(self, item_id: ItemId, report: AttachReport) -> None:
        self.editor.notify(report.changes)
        if report.attached:
            self.table.model().expand(item_id)
            self._read_for.add(item_id)
            self.read_text()
        if report.remarks:
            self.window.statusBar().showMessage(" ".join(report.remarks), 10_000)
        if report.failed:
            done = f"{report.summary(item_id)}\n\n" if report.attached else ""
            reasons = "\n".join(why for _path, why in report.failed)
            dialogs.show_error(self.window, f"{done}Not attached:\n{reasons}")
        self.attached.emit(report)

    def _on_attach_failed(self, message: str) -> None:
        dialogs.show_error(self.window, f"Nothing was attached: {message}")
        self.attached.emit(None)

    # --- the text of PDFs -----------------------------------------------------------------------

    def read_text(self) -> None:
        """Read the text of the PDFs not read yet into the index, in the background (again
        when more were attached while it ran)."""
        if self._reading is not None:
            self._read_again = True
            return

        try:
            base = file_settings.base_folder(self.library.path)
        except RefmanError:  # told when attaching; reading goes on with absolute paths
            base = None

        def job(library: Library, _progress, cancelled) -> TextReport:
            return library.attachments.read_text(base=base, cancelled=cancelled)

        self._reading = self.tasks.run("Read PDF text", job, mode=WRITE)
        self._reading.succeeded.connect(self._on_text_read)
        self._reading.failed.connect(self._on_text_failed)

    @Slot(object)
    def _on_text_read(self, report: TextReport) -> None:
        self._reading = None
        if report.scans or report.failed:
            self.window.statusBar().showMessage(report.summary(), 10_000)
        if self._read_for and not self._read_again:  # their panes show each PDF's state now
            self.editor.notify(Changes(changed=frozenset(self._read_for)))
            self._read_for.clear()
        self.text_read.emit(report)
        self._again()

    @Slot(str)
    def _on_text_failed(self, message: str) -> None:
        self._reading = None
        self.window.statusBar().showMessage(f"The text of PDFs was not read: {message}", 10_000)
        self._again()

    def pause_reading(self) -> None:
        """Let a writing task the user started (an attach, an import) go first: the reading
        stops after the PDF it reads and starts again once it has ended, where it left off."""
        if self._reading is not None:
            self._reading.cancel()
            self._read_again = True

    def _again(self) -> None:
        if self._read_again:
            self._read_again = False
            self.read_text()

    # --- a file's row -------------------------------------------------------------------------

    def open(self, attachment_id: int) -> None:
        open_attachment(self.window, self.library, attachment_id)

    def show_file(self, attachment_id: int) -> None:
        show_in_folder(self.window, self.library, attachment_id)

    def trash_selected(self) -> bool:
        """Move the files' rows selected to the Trash (undoable); False when none is."""
        ids = self.table.selected_attachment_ids()
        return bool(ids) and self.editor.trash_attachments(ids)

    def file_menu(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a file's row; None for an item's row."""
        file = self.table.model().attachment_at(index.row()) if index.isValid() else None
        if file is None:
            return None
        menu = QMenu(self.table)
        menu.addAction("Open", lambda: self.open(file.id))
        menu.addAction("Show File", lambda: self.show_file(file.id))
        viewer = getattr(self.window, "view_attachment", None)  # the built-in viewer, if any
        if viewer is not None and file.content_type == PDF:
            menu.addAction("View in refman", lambda: viewer(file.id))
        menu.addSeparator()
        trash = menu.addAction("Move to Trash", lambda: self._trash_from_menu(file.id))
        trash.setEnabled(not self.library.read_only)
        return menu

    def _trash_from_menu(self, attachment_id: int) -> None:
        ids = self.table.selected_attachment_ids()
        self.editor.trash_attachments(ids if attachment_id in ids else [attachment_id])

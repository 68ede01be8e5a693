"""The window's tabs: the library first (sidebar, table, detail pane), then one per open PDF.

``ViewerTabs.view_attachment(attachment_id)`` opens an attachment's PDF in a tab of its own
(pdf_viewer.PdfTab), or brings its tab forward when it is open already. What cannot be shown
is told in plain words and nothing else happens: an attachment gone from the library, a file
missing from its place, a file named .pdf that is not a PDF, a damaged or password-locked PDF.
Any other file (slides, data) is not a PDF: it opens in the system's viewer for its type.

The library tab cannot be closed; a PDF tab closes with its ✕ or Ctrl+W (the window's Close
Tab). The tab bar hides while the library is the only tab, so the window looks as before
until a PDF is opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTabBar, QTabWidget, QWidget

from refman.gui import dialogs
from refman.gui.pdf_viewer import PdfLoadError, PdfTab, open_pdf
from refman.gui.undo import LibraryEditor
from refman.library import Changes
from refman.library.attachments import PDF
from refman.library.backups import LibraryFiles
from refman.model import RefmanError


def open_in_system_viewer(path: Path) -> bool:
    """Open ``path`` in the program the desktop has for its type (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ViewerTabs(QTabWidget):
    """The library's page and the PDF tabs."""

    told = Signal(str)  # a short remark for the status line (a file opened elsewhere)

    def __init__(
        self,
        library_page: QWidget,
        editor: LibraryEditor,
        citation_style: Callable[[], str | None] = lambda: None,
        base_folder: Callable[[], Path | None] = lambda: None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.editor = editor
        self.library = editor.library
        self.citation_style = citation_style
        self.base_folder = base_folder  # linked files' base folder (Preferences), if any
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setTabBarAutoHide(True)
        self.setMovable(True)
        self.addTab(library_page, "Library")
        self.tabBar().setTabButton(0, QTabBar.ButtonPosition.RightSide, None)
        self.tabBar().setTabButton(0, QTabBar.ButtonPosition.LeftSide, None)
        self.library_page = library_page
        self.tabCloseRequested.connect(self.close_tab)

    def pdf_tabs(self) -> list[PdfTab]:
        return [t for t in map(self.widget, range(self.count())) if isinstance(t, PdfTab)]

    def tab_of(self, attachment_id: int) -> PdfTab | None:
        return next((t for t in self.pdf_tabs() if t.attachment_id == attachment_id), None)

    def current_pdf(self) -> PdfTab | None:
        current = self.currentWidget()
        return current if isinstance(current, PdfTab) else None

    # --- opening ----------------------------------------------------------------------------

    def view_attachment(self, attachment_id: int) -> PdfTab | None:
        """Show the attachment's PDF in its tab (opened now, or brought forward); None when
        it cannot be shown here (the user was told why, or it opened in another program)."""
        tab = self.tab_of(attachment_id)
        if tab is None:
            tab = self._open(attachment_id)
        if tab is not None:
            self.setCurrentWidget(tab)
            tab.view.setFocus()
        return tab

    def _open(self, attachment_id: int) -> PdfTab | None:
        try:
            row = self.library.attachments.get(attachment_id)
            path = self.library.attachments.file(row, self.base_folder())
        except RefmanError as exc:  # an unknown id, or file settings that cannot be read
            dialogs.show_error(self, str(exc))
            return None
        problem = self._cannot_show(path)
        if problem:
            dialogs.show_error(self, problem)
            return None
        if row.content_type != PDF:
            self._not_a_pdf(path)
            return None
        try:
            document = open_pdf(path)
        except PdfLoadError as exc:
            dialogs.show_error(self, str(exc))
            return None
        tab = PdfTab(document, path, attachment_id, row.item_id, self.editor, self.citation_style)
        index = self.addTab(tab, tab.title())
        self.setTabToolTip(index, str(path))
        return tab

    def _cannot_show(self, path: Path) -> str | None:
        """Why the file at ``path`` is not to be opened at all, or None."""
        try:
            info = os.stat(path)
        except OSError:
            return (
                f"The file of this attachment is missing: {path} is not there (moved or "
                "deleted?). `refman check` lists every missing file."
            )
        # A linked path may name the library's own files, which only SQLite may open.
        if LibraryFiles(self.library.path).refusal(path, info):
            return f"{path} is part of the library itself; it cannot be shown."
        return None

    def _not_a_pdf(self, path: Path) -> None:
        """A file that is not a PDF: one named .pdf is told as such; any other file opens in
        the system's viewer for its type."""
        if path.suffix.lower() == ".pdf":
            dialogs.show_error(self, f"{path} is named .pdf but is not a PDF: it cannot be shown.")
        elif open_in_system_viewer(path):
            self.told.emit(f"{path.name} is not a PDF: opened in the system's viewer.")
        else:
            dialogs.show_error(self, f"{path.name} is not a PDF, and no program could open it.")

    # --- closing and changes ----------------------------------------------------------------

    def close_tab(self, index: int) -> None:
        tab = self.widget(index)
        if isinstance(tab, PdfTab):
            tab.flush()
            self.removeTab(index)
            tab.deleteLater()

    def close_current(self) -> bool:
        """Close Tab (Ctrl+W): the PDF tab on show; False on the library's page."""
        tab = self.current_pdf()
        if tab is None:
            return False
        self.close_tab(self.indexOf(tab))
        return True

    def apply(self, changes: Changes) -> None:
        """A library change, for the items shown beside the PDFs. A tab whose attachment is
        gone or in the Trash closes; one given to another item shows that item."""
        touched = changes.changed | changes.removed
        for tab in self.pdf_tabs():
            if tab.item_id in touched and not self._follow(tab):
                continue
            tab.detail.apply(changes)

    def _follow(self, tab: PdfTab) -> bool:
        """Keep ``tab`` in step with its attachment's row; False when the tab was closed."""
        try:
            row = self.library.attachments.get(tab.attachment_id)
        except RefmanError:
            row = None
        if row is None or row.trashed:
            self.close_tab(self.indexOf(tab))
            self.told.emit(f"{tab.title()} was closed: its attachment is in the Trash or gone.")
            return False
        if row.item_id != tab.item_id:
            tab.show_item(row.item_id)
        return True

    def flush(self) -> None:
        for tab in self.pdf_tabs():
            tab.flush()

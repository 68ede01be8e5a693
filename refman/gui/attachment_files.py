"""An attachment's file opened in the system's viewer, or shown in the file manager.

``open_attachment`` and ``show_in_folder`` find the file through the library (a linked file
under this machine's base folder: library.file_settings), then ask the desktop through
``QDesktopServices`` (tests replace its ``openUrl``). A file that is not there, or that no
program could open, is said in a plain message naming its path: never a silent nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from refman.gui import dialogs
from refman.library import Library, file_settings
from refman.model import RefmanError


def attachment_path(library: Library, attachment_id: int) -> Path:
    """Where the attachment's file is (it may be missing); RefmanError for an unknown id or
    file settings that cannot be read."""
    row = library.attachments.get(attachment_id)
    return library.attachments.file(row, file_settings.base_folder(library.path))


def open_attachment(parent: QWidget, library: Library, attachment_id: int) -> bool:
    """Open the attachment's file in the system's viewer for its type; True if it opened."""
    path = _present(parent, library, attachment_id)
    if path is None:
        return False
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        dialogs.show_error(parent, f"No program could be started to open {path}.")
        return False
    return True


def show_in_folder(parent: QWidget, library: Library, attachment_id: int) -> bool:
    """Show File: open the folder that holds the attachment's file in the file manager."""
    path = _present(parent, library, attachment_id)
    if path is None:
        return False
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))):
        dialogs.show_error(parent, f"No file manager could be started to show {path}.")
        return False
    return True


def _present(parent: QWidget, library: Library, attachment_id: int) -> Path | None:
    """The attachment's file, or None once the user was told why there is none."""
    try:
        path = attachment_path(library, attachment_id)
    except RefmanError as exc:
        dialogs.show_error(parent, str(exc))
        return None
    if not path.is_file():
        dialogs.show_error(
            parent,
            f"The file is missing: {path}\n\nIt was moved or deleted outside refman. Put it "
            "back there, or attach it again.",
        )
        return None
    return path

"""An attachment's file opened in the system's viewer, or shown in the file manager.

``open_attachment`` and ``show_in_folder`` find the file through the library (a linked file
under this machine's base folder: library.file_settings), then ask the desktop through
``QDesktopServices`` (tests replace its ``openUrl``). A file that is not where the library says
(moved or deleted outside refman, a linked file on a drive not mounted) is told in plain words
with its path and what to do, before the desktop is asked for anything: never a silent nothing.
These functions only ask the desktop to open the file: refman itself never opens it here.
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


def open_attachment(parent: QWidget | None, library: Library, attachment_id: int) -> bool:
    """Open the attachment's file in the system's viewer for its type; True if it opened."""
    path = _present(parent, library, attachment_id)
    if path is None:
        return False
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        dialogs.show_error(
            parent,
            f"No program could open {path}. Install a viewer for this kind of file, or use "
            "Show File to open its folder.",
        )
        return False
    return True


def show_in_folder(parent: QWidget | None, library: Library, attachment_id: int) -> bool:
    """Show File: open the folder that holds the attachment's file in the file manager."""
    path = _present(parent, library, attachment_id)
    if path is None:
        return False
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))):
        dialogs.show_error(parent, f"No file manager could be opened for {path.parent}.")
        return False
    return True


def _present(parent: QWidget | None, library: Library, attachment_id: int) -> Path | None:
    """The attachment's file, or None once the user was told why there is none."""
    try:
        row = library.attachments.get(attachment_id)
        path = attachment_path(library, attachment_id)
    except RefmanError as exc:
        dialogs.show_error(parent, str(exc))
        return None
    if not path.is_file():
        what = (
            "Put the file back there, or attach it again."
            if row.linked
            else "Attach the file again (drop it on the item), then move this one to the Trash."
        )
        dialogs.show_error(parent, f"The file of {row.name} is missing: {path}\n\n{what}")
        return None
    return path

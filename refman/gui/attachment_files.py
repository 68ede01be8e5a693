"""Opening an attachment's file outside refman: in the system's viewer, or its folder in the
file manager (Show File).

Both go through ``QDesktopServices.openUrl`` (tests replace it). A file that is not where the
library says (moved or deleted outside refman, a linked file on a drive not mounted) is told
in plain words with its path and what to do, before the desktop is asked for anything. These
functions only ask the desktop to open the file: refman itself never opens it here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from refman.gui import dialogs
from refman.library import Library
from refman.model import RefmanError


def open_attachment(
    parent: QWidget | None, library: Library, attachment_id: int, base: Path | None = None
) -> bool:
    """Open the attachment's file in the system's viewer; True when the desktop took it."""
    path = _present_file(parent, library, attachment_id, base)
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


def show_in_folder(
    parent: QWidget | None, library: Library, attachment_id: int, base: Path | None = None
) -> bool:
    """Open the folder that holds the attachment's file in the file manager."""
    path = _present_file(parent, library, attachment_id, base)
    if path is None:
        return False
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))):
        dialogs.show_error(parent, f"No file manager could be opened for {path.parent}.")
        return False
    return True


def _present_file(
    parent: QWidget | None, library: Library, attachment_id: int, base: Path | None
) -> Path | None:
    """The attachment's file, or None once the user has been told why not."""
    try:
        row = library.attachments.get(attachment_id)
    except RefmanError as exc:
        dialogs.show_error(parent, str(exc))
        return None
    path = library.attachments.file(row, base)
    if not path.is_file():
        what = (
            "Put the file back there, or attach it again."
            if row.linked
            else "Attach the file again (drop it on the item), then move this one to the Trash."
        )
        dialogs.show_error(parent, f"The file of {row.name} is missing: {path}\n\n{what}")
        return None
    return path

"""Opening web addresses (a DOI, a PubMed page) in the user's browser, and saying so when none
can be started.

``QDesktopServices.openUrl`` returns False when no browser can be started (no xdg-open, no
desktop's handler, a platform without one); Qt then only prints a warning on stderr, which a
user of the window never sees. ``open_link`` shows the address in a message instead, selectable
and with a button that copies it, so that it can be opened elsewhere. Labels and text browsers
that show links hand their clicks here (``linkActivated``, ``anchorClicked``) rather than
opening them on their own (``openExternalLinks``), which would fail without a word.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

UNOPENED_BOX = "unopened_link"  # the message's object name, for tests to find it
COPY_ADDRESS = "Copy Address"


def open_link(parent: QWidget, url: str | QUrl) -> bool:
    """Open ``url`` in the browser; when none starts, say so with the address. True if opened."""
    address = url.toString() if isinstance(url, QUrl) else url
    if QDesktopServices.openUrl(QUrl(address)):
        return True
    show_unopened(parent, address)
    return False


def show_unopened(parent: QWidget, address: str) -> QMessageBox:
    """The message that no browser could be started, with the address to copy."""
    window = parent.window()
    for old in window.findChildren(QMessageBox, UNOPENED_BOX):
        old.close()  # one such message at a time, for the latest address
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Cannot Open Link",
        "No web browser could be started to open this address. Copy it to open it in a "
        f"browser yourself:\n\n{address}",
        QMessageBox.StandardButton.Close,
        window,
    )
    box.setObjectName(UNOPENED_BOX)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton(COPY_ADDRESS, QMessageBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(address))
    # Not modal: the window stays usable, and nothing waits on the user.
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box

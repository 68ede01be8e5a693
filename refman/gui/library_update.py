"""The first opening of a library that an older refman made: its schema steps run in a thread
while a small window says how far they have come.

The steps take seconds on a 100,000-item library and minutes on a million items (a step may
make an index or the full-text index anew); run on the window's thread they would leave the
user looking at nothing, with the desktop calling refman "not responding". Each step is one
transaction: a step cut short (a crash, a kill, a full disk) leaves the library as the step
before left it, and the next start goes on from there.

The thread opens the library, lets it update, and closes it; the window then opens it as
usual. Nothing of the library crosses threads (SQLite connections stay in the thread that
made them). An error is raised again on the window's thread, where opening explains it
exactly as for a library that needed no update.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from refman.gui import dialogs
from refman.library import Library

# An update that ends sooner is not worth a window that flashes.
SHOW_AFTER_MS = 400


class _Updater(QThread):
    """Opens the library in its own thread (the schema steps run then), and closes it."""

    step = Signal(int, int)  # (steps done, steps the library needs)

    def __init__(self, path: Path, verify: bool):
        super().__init__()
        self._path = path
        self._verify = verify
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            Library(self._path, verify=self._verify, on_update=self.step.emit).close()
        except BaseException as exc:  # raised again on the window's thread
            self.error = exc


def copying_text(path: Path) -> str:
    return (
        f"Keeping a copy of the library {path.name} as it is in its backups folder, "
        "then updating it for this version of refman.\n\n"
        "This happens once. On a very large library it can take several minutes."
    )


def progress_text(path: Path, done: int, total: int) -> str:
    return (
        f"Updating the library {path.name} for this version of refman: "
        f"step {min(done + 1, total)} of {total}.\n\n"
        "This happens once. On a very large library it can take several minutes."
    )


def update_library(path: Path, *, verify: bool) -> None:
    """Run the schema steps the library at ``path`` needs, showing their progress; raises what
    opening the library would raise (damage, a newer library, a full disk...)."""
    dialog = QProgressDialog()
    dialog.setWindowTitle(dialogs.TITLE)
    dialog.setCancelButton(None)  # a step cannot stop half-way; each is all or nothing
    dialog.setRange(0, 0)  # steps differ in length by minutes: a busy bar, the step in words
    dialog.setMinimumDuration(2**30)  # shown by our own timer below, not by setValue
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setLabelText(copying_text(path))  # the copy comes before the first step
    updater = _Updater(path, verify)
    updater.step.connect(lambda done, total: dialog.setLabelText(progress_text(path, done, total)))
    loop = QEventLoop()
    updater.finished.connect(loop.quit)
    QTimer.singleShot(SHOW_AFTER_MS, dialog, lambda: dialog.show() if updater.isRunning() else None)
    updater.start()
    loop.exec()
    updater.wait()
    dialog.close()
    dialog.deleteLater()
    if updater.error is not None:
        raise updater.error

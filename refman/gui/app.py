"""Start the window: the Qt application, the library, the main window, files named on start.

A second start on a library that already has a window hands its files to that window and
exits (single_instance). A library that cannot be opened is explained in a dialog, not a
traceback; a damaged one comes with a choice: restore the latest good backup, open it
read-only, or quit. A small library is checked before the window opens (a tenth of a second);
every library is checked again, whatever its size, in a thread just after the window has
appeared, and then the daily backup is made if it is due: neither delays the first paint nor
freezes the window (on a 100,000-item library they read some hundreds of megabytes). Damage
that SQLite reports at any time while the window is open brings the same choice.

A library an older refman made is updated to this version's schema before the window opens,
in a thread, with its progress shown (library_update): minutes at a million items.

A restore chosen in the window happens after the window has closed its library: nothing in
this process may hold the file open while a restore writes it.

Any other error that reaches the event loop is a bug: it is logged with its traceback and the
user sees a plain message, and the window keeps running.

SIGTERM (sent at logout, or by ``kill``) quits as the Quit command does: the note being typed
is saved and the library is closed properly.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

import refman
from refman import logs
from refman.gui import cayw, dialogs, first_paint, library_update, single_instance
from refman.gui.main_window import MainWindow
from refman.gui.resources import icon
from refman.gui.tasks import Task, TaskRunner
from refman.library import DamagedLibraryError, Library, backups, update_steps_pending
from refman.model import RefmanError
from refman.paths import APP_NAME, check_library_path

log = logging.getLogger("refman.gui")
DESKTOP_ID = "io.github.refman.Refman"  # resources/io.github.refman.Refman.desktop
CHECK_DELAY_MS = 500  # after the first paint, which comes within 1.5 s
# Libraries smaller than this are checked before the window opens (about a tenth of a second).
VERIFY_BEFORE_OPENING_BYTES = 64 * 2**20
RESTORE, READ_ONLY, QUIT = "restore", "read-only", "quit"


def run(library_path: Path, files: list[str]) -> int:
    """Open the window on the library at ``library_path``; import ``files``; run until quit."""
    app = application()
    install_excepthook()
    try:  # a folder, a device, a missing folder...: said before anything uses the path
        check_library_path(library_path)
    except RefmanError as exc:
        _cannot_open(library_path, exc)
        return 1
    measuring = first_paint.requested()
    if not measuring and single_instance.hand_off(library_path, files):
        return 0  # a window is already open on this library: it took the files
    library, status = open_library(library_path), 1
    with quit_on_terminate(app):
        while library is not None:  # again after a backup was restored from the window
            status, restore_from = show_window(app, library, files, measuring)
            library, files = None, []
            if restore_from is not None and restore_backup(None, library_path, restore_from):
                library = open_library(library_path)
    return status


def show_window(app: QApplication, library: Library, files: list[str], measuring: bool):
    """Run the window on ``library`` until it closes; (exit status, backup to restore)."""
    safety = SafetyChecks(library)
    stop_listening = library.safety.on_damage(safety.damage_found.emit)
    try:
        window = MainWindow(library)
        app.aboutToQuit.connect(window.detail.flush)  # a note typed just before quitting
        single_instance.serve(window, library.path)
        cayw.serve(window, window.settings)  # editors' citation picker, when enabled
        if measuring:
            first_paint.FirstPaintReporter(window, window.table_model.rowCount)
        safety.damage_found.connect(lambda damage: _damage_found(window, damage, safety))
        window.show()
        window.explain_storage_once()
        safety.start_later(window)
        if files:
            window.import_paths(files)
        status = app.exec()
    finally:
        stop_listening()
        safety.stop()
        library.close()
    return status, safety.restore_from


def _damage_found(window: MainWindow, damage: DamagedLibraryError, safety: SafetyChecks) -> None:
    """SQLite found the open library damaged: restore, go on read-only, or quit."""
    if safety.asked:  # one question per window, however often the damage is met
        return
    safety.asked = True
    choice = ask_about_damage(damage)
    if choice == READ_ONLY:
        window.library.refuse_writes(damage_text(damage).split("\n")[0])
        window.show_read_only()
        return
    if choice == RESTORE and damage.backup is not None:
        safety.restore_from = damage.backup.path  # once the window has closed the library
    window.close()


def restore_backup(parent, path: Path, backup: Path) -> bool:
    """Restore ``backup`` into the library at ``path``; False (the user told why) on failure."""
    try:
        backups.restore(path, backup)
    except RefmanError as exc:
        dialogs.show_error(parent, f"The backup could not be restored.\n\n{exc}")
        return False
    return True


def open_library(path: Path) -> Library | None:
    """The library, or None when it cannot be opened (the user has been told why). A library
    an older refman made is updated first, its progress shown (library_update)."""
    try:
        small = not path.exists() or path.stat().st_size < VERIFY_BEFORE_OPENING_BYTES
        if update_steps_pending(path):
            library_update.update_library(path, verify=small)
            small = False  # checked in the update's thread, if small
        return Library(path, verify=small)
    except DamagedLibraryError as exc:
        return _open_damaged(path, exc)
    except (RefmanError, OSError) as exc:
        _cannot_open(path, exc)
        return None


def _cannot_open(path: Path, exc: Exception) -> None:
    dialogs.show_error(None, f"The library {path} cannot be opened.\n\n{exc}")


def _open_damaged(path: Path, damage: DamagedLibraryError) -> Library | None:
    choice = ask_about_damage(damage)
    try:
        if choice == RESTORE and damage.backup is not None:
            if restore_backup(None, path, damage.backup.path):
                return Library(path)
            return None
        if choice == READ_ONLY:
            return Library(path, read_only=True)
    except RefmanError as exc:
        _cannot_open(path, exc)
    return None


def damage_text(damage: DamagedLibraryError) -> str:
    head = f"The library {damage.library} is damaged (SQLite says: {damage.problems[0]})."
    if damage.backup is None:
        return f"{head}\n\nThere is no backup of it. You can open it read-only, or quit."
    return (
        f"{head}\n\nThe latest good backup was taken {damage.backup.taken:%Y-%m-%d at %H:%M}. "
        "Restore it? The library as it is now is kept in the backups folder."
    )


def ask_about_damage(damage: DamagedLibraryError) -> str:
    """RESTORE (when there is a good backup), READ_ONLY or QUIT, as the user chooses."""
    box = QMessageBox(QMessageBox.Icon.Critical, dialogs.TITLE, damage_text(damage))
    choices = {}
    if damage.backup is not None:
        choices[box.addButton("Restore Backup", QMessageBox.ButtonRole.AcceptRole)] = RESTORE
    choices[box.addButton("Open Read-Only", QMessageBox.ButtonRole.ActionRole)] = READ_ONLY
    choices[box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)] = QUIT
    box.setDefaultButton(next(iter(choices)))
    box.exec()
    clicked = box.clickedButton()
    return choices.get(clicked, QUIT) if isinstance(clicked, QPushButton) else QUIT


class SafetyChecks(QObject):
    """SQLite's check of the whole library, then the daily backup if it is due, as a task on
    the window's runner started just after the window appeared.

    The check and the copy open connections of their own (maintenance), so the window keeps
    working while the pages are read and copied; closing the window stops the copy between
    two steps and waits. Damage found by the check, or met by any connection of the window's
    while it is open, comes to the window's thread as ``damage_found`` (a queued signal).
    """

    damage_found = Signal(object)  # DamagedLibraryError

    def __init__(self, library: Library):
        super().__init__()
        self._library = library
        self._wanted = not library.read_only
        self._task: Task | None = None
        self.made: Path | None = None
        self.restore_from: Path | None = None  # the backup the user chose to restore
        self.asked = False

    def start_later(self, window: MainWindow, delay_ms: int | None = None) -> None:
        if self._wanted:  # the timer is the window's: it dies with the window
            delay = CHECK_DELAY_MS if delay_ms is None else delay_ms
            QTimer.singleShot(delay, window, lambda: self._start(window.tasks))

    def _start(self, tasks: TaskRunner) -> None:
        safety = self._library.safety  # works on the file by its path: any thread may call it

        def job(_library, _progress, cancelled) -> DamagedLibraryError | Path | None:
            try:
                safety.verify()
                return None if cancelled() else safety.backup_if_due(cancelled=cancelled)
            except DamagedLibraryError as damage:  # an answer of the check, not a failure
                return damage

        self._task = tasks.run("The daily backup", job)
        self._task.succeeded.connect(self._on_done)
        self._task.failed.connect(self._on_failed)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._task = None
        log.warning("%s", message)

    @Slot(object)
    def _on_done(self, result: DamagedLibraryError | Path | None) -> None:
        self._task = None  # finished: its thread object goes with the next event loop turn
        if isinstance(result, DamagedLibraryError):
            self.damage_found.emit(result)
        else:
            self.made = result

    def stop(self) -> None:
        # A task that has ended may already be deleted (its deleteLater ran) before its
        # queued result reached _on_done: an ended task needs no stopping.
        if self._task is not None and shiboken6.isValid(self._task):
            self._task.cancel()
            self._task.wait()
        self._task = None


def application() -> QApplication:
    """The QApplication, named so that QSettings finds the settings of earlier runs."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # refman makes no bare QCoreApplication
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(refman.__version__)
    app.setDesktopFileName(DESKTOP_ID)  # Wayland and task bars find the .desktop entry by it
    app.setWindowIcon(icon("refman"))
    return app


@contextlib.contextmanager
def quit_on_terminate(app: QApplication) -> Iterator[None]:
    """While inside, SIGTERM closes the windows as Quit does, instead of ending the process.

    Python runs a signal handler only when the interpreter next runs, and Qt's event loop runs
    no Python while it waits: the handler's wake-up byte on a socket pair wakes the loop, and
    the notifier's slot lets Python run the handler.
    """
    receiver, sender = socket.socketpair()
    receiver.setblocking(False)
    sender.setblocking(False)
    notifier = QSocketNotifier(receiver.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: receiver.recv(64))

    def close_windows(_signum, _frame) -> None:
        QTimer.singleShot(0, app.closeAllWindows)

    old_fd = signal.set_wakeup_fd(sender.fileno())
    old_handler = signal.signal(signal.SIGTERM, close_windows)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_handler)
        signal.set_wakeup_fd(old_fd)
        notifier.setEnabled(False)
        receiver.close()
        sender.close()


def install_excepthook() -> None:
    sys.excepthook = report_unexpected


def report_unexpected(kind, exc, tb) -> None:
    """A bug reached the event loop: log it, tell the user in plain words, carry on."""
    if isinstance(exc, RefmanError):  # expected, but nobody caught it: still plain words
        dialogs.show_error(QApplication.activeWindow(), str(exc))
        return
    log.error("Unexpected error", exc_info=(kind, exc, tb))
    where = logs.log_unexpected(exc)
    detail = f"\n\nThe details are in {where}." if where else ""
    message = f"Something went wrong: {exc}.{detail}"
    dialogs.show_error(QApplication.activeWindow(), message)

"""Start the window: the Qt application, the library, the main window, files named on start.

A second start on a library that already has a window hands its files to that window and
exits (single_instance). A library that cannot be opened is explained in a dialog, not a
traceback. Any other error that reaches the event loop is a bug: it is logged with its
traceback and the user sees a plain message, and the window keeps running.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

import refman
from refman.gui import dialogs, first_paint, single_instance
from refman.gui.main_window import MainWindow
from refman.gui.resources import icon
from refman.library import Library
from refman.model import RefmanError
from refman.paths import APP_NAME

log = logging.getLogger("refman.gui")
DESKTOP_ID = "io.github.refman.Refman"  # resources/io.github.refman.Refman.desktop


def run(library_path: Path, files: list[str]) -> int:
    """Open the window on the library at ``library_path``; import ``files``; run until quit."""
    app = application()
    install_excepthook()
    measuring = first_paint.requested()
    if not measuring and single_instance.hand_off(library_path, files):
        return 0  # a window is already open on this library: it took the files
    try:
        library = Library(library_path)
    except RefmanError as exc:
        dialogs.show_error(None, f"The library {library_path} cannot be opened.\n\n{exc}")
        return 1
    try:
        window = MainWindow(library)
        app.aboutToQuit.connect(window.detail.flush)  # a note typed just before quitting
        single_instance.serve(window, library_path)
        if measuring:
            first_paint.FirstPaintReporter(window, window.table_model.rowCount)
        window.show()
        if files:
            window.import_paths(files)
        return app.exec()
    finally:
        library.close()


def application() -> QApplication:
    """The QApplication, named so that QSettings finds the settings of earlier runs."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(refman.__version__)
    app.setDesktopFileName(DESKTOP_ID)  # Wayland and task bars find the .desktop entry by it
    app.setWindowIcon(icon("refman"))
    return app


def install_excepthook() -> None:
    sys.excepthook = report_unexpected


def report_unexpected(kind, exc, tb) -> None:
    """A bug reached the event loop: log it, tell the user in plain words, carry on."""
    if isinstance(exc, RefmanError):  # expected, but nobody caught it: still plain words
        dialogs.show_error(QApplication.activeWindow(), str(exc))
        return
    log.error("Unexpected error", exc_info=(kind, exc, tb))
    where = _write_log(exc)
    detail = f"\n\nThe details are in {where}." if where else ""
    message = f"Something went wrong: {exc}.{detail}"
    dialogs.show_error(QApplication.activeWindow(), message)


def _write_log(exc: BaseException) -> Path | None:
    # The composition root owns the log file; import it late, as it imports this package.
    from refman.app import log_unexpected

    return log_unexpected(exc)

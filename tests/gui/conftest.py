"""Fixtures for window tests: a small library on tmp_path and a main window over it.

The library is filled with ``Library.add`` so that these tests do not depend on the MEDLINE
reader. Settings go to a file under tmp_path, never to the user's own.
"""

from __future__ import annotations

import pytest
from gui_helpers import close_window, make_window
from PySide6.QtCore import QSettings

from refman.gui.main_window import MainWindow
from refman.gui.undo import LibraryEditor
from refman.library import Library
from tests.samples import PAPERS, SEED_FILE

# The offscreen platform warns when asked for what only a real display does (raise a window,
# grab the keyboard for a completer popup, propagate size hints): not our bugs.
OFFSCREEN_NOISE = "This plugin does not support "


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def library_path(tmp_path):
    return tmp_path / "library.sqlite"


@pytest.fixture
def library(library_path):
    with Library(library_path) as lib:
        for ref in PAPERS:
            lib.items.add(ref)
        yield lib


@pytest.fixture
def seed_library(library_path):
    """The seed record imported from MEDLINE (its citations are in tests/data/csl), and the
    other sample references (the first is the seed as typed by hand: a duplicate)."""
    with Library(library_path) as lib:
        lib.importing.files([SEED_FILE])
        for ref in PAPERS[1:]:
            lib.items.add(ref)
        yield lib


@pytest.fixture
def empty_library(library_path):
    with Library(library_path) as lib:
        yield lib


@pytest.fixture
def editor(qapp, library) -> LibraryEditor:
    return LibraryEditor(library)


@pytest.fixture
def window(qtbot, library, settings) -> MainWindow:
    window = make_window(qtbot, library, settings)
    yield window
    close_window(qtbot, window)


@pytest.fixture
def seed_window(qtbot, seed_library, settings) -> MainWindow:
    window = make_window(qtbot, seed_library, settings)
    yield window
    close_window(qtbot, window)

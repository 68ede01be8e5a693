"""Fixtures for window tests: libraries on tmp_path, and a main window over them.

``papers_library`` holds the four papers of samples.PAPERS, added with ``items.add`` so that
these tests do not depend on the MEDLINE reader; ``seed_library`` holds the seed read from its
MEDLINE file (its citations are in tests/data/csl) and the other three papers; ``library``
(tests/conftest.py) is an empty one. Settings go to a file under tmp_path, never to the user's
own, and this machine's file settings (library.file_settings: the base folder of linked files)
to a config folder under tmp_path, through XDG_CONFIG_HOME, which the command line run by a
test inherits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings

from refman.gui import dialogs
from refman.gui.main_window import MainWindow
from refman.gui.undo import LibraryEditor
from refman.library import Library
from tests.samples import PAPERS, SEED_FILE
from tests.unit.gui.helpers import close_window, id_of, make_window


@pytest.fixture(autouse=True)
def _config_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # The citation picker's port file (paths.port_file_path) goes there too, not the user's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def papers_library(library_path) -> Iterator[Library]:
    """An open library holding the four papers, typed in."""
    with Library(library_path) as lib:
        for ref in PAPERS:
            lib.items.add(ref)
        yield lib


@pytest.fixture
def seed_library(library_path) -> Iterator[Library]:
    """An open library holding the seed read from its MEDLINE file and the other three papers
    (the first paper is the seed typed in: a duplicate)."""
    with Library(library_path) as lib:
        lib.importing.files([SEED_FILE])
        for ref in PAPERS[1:]:
            lib.items.add(ref)
        yield lib


@pytest.fixture
def editor(qapp, papers_library) -> LibraryEditor:
    return LibraryEditor(papers_library)


@pytest.fixture
def window(qtbot, papers_library, settings) -> Iterator[MainWindow]:
    """The main window over ``papers_library``, shown."""
    window = make_window(qtbot, papers_library, settings)
    yield window
    close_window(qtbot, window)


@pytest.fixture
def seed_window(qtbot, seed_library, settings) -> Iterator[MainWindow]:
    """The main window over ``seed_library``, shown."""
    window = make_window(qtbot, seed_library, settings)
    yield window
    close_window(qtbot, window)


@pytest.fixture
def selected_seed(seed_window) -> int:
    """The seed's id, selected in ``seed_window``."""
    item_id = id_of(seed_window.library, "Safety")
    seed_window.table.select_ids([item_id])
    return item_id


@pytest.fixture
def shown_errors(monkeypatch) -> list[str]:
    """The messages the window would show in error dialogs, instead of showing them."""
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    return shown

"""Shared test set-up: Qt runs offscreen (no display needed), and the libraries and files that
tests in more than one folder use, each defined here once.

The names say what a fixture holds. ``library_path``: where a library will be (nothing is there
yet). ``library``: an open, empty library there. ``filled_library``: the path of a closed
library holding the sample files (samples.SAMPLE_FILES), a collection, tags, a note and a
trashed item, a fresh copy for each test. ``seed_only_library``: the path of a closed library
holding the seed alone, read from its MEDLINE file. The window tests' libraries, of references
typed by hand, are in tests/unit/gui/conftest.py.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import synthetic
from refman.formats import medline
from refman.library import Library
from refman.model import Reference
from tests.safety_helpers import OFFSCREEN_NOISE, fill_library
from tests.samples import (
    PARTS,
    RECORDS_PER_PART,
    SEED_FILE,
    SYNTHETIC_RECORDS,
    SYNTHETIC_SEED,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(items) -> None:
    """The offscreen platform's warnings (see OFFSCREEN_NOISE) are not ours: no test fails on
    them."""
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session", autouse=True)
def _clipboard_emptied_before_exit():
    """Empty the clipboard after the last test.

    The offscreen platform keeps clipboard data in a C++ global that is destroyed after Python
    has finalised; deleting Python-made QMimeData then crashes the process (PySide6 6.11, not
    seen on xcb). Emptying it while Python runs avoids that.
    """
    yield
    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        if app is not None:
            app.clipboard().clear()


# --- libraries --------------------------------------------------------------------------------


@pytest.fixture
def library_path(tmp_path) -> Path:
    """Where a library will be (tmp_path/library.sqlite); nothing is there yet."""
    return tmp_path / "library.sqlite"


@pytest.fixture
def library(library_path) -> Iterator[Library]:
    """An open, empty library at ``library_path``."""
    with Library(library_path) as opened:
        yield opened


@pytest.fixture(scope="session")
def filled_library_original(tmp_path_factory) -> Path:
    """The filled library, made once: tests take copies of it (``filled_library``), never
    change it."""
    return fill_library(tmp_path_factory.mktemp("filled") / "library.sqlite")


@pytest.fixture
def filled_library(filled_library_original, library_path) -> Path:
    """A fresh copy, at ``library_path``, of a library holding the sample files, a collection,
    a tag, a note and a trashed item."""
    return Path(shutil.copy(filled_library_original, library_path))


@pytest.fixture
def seed_only_library(library_path) -> Path:
    """The path of a library holding the seed alone, read from its MEDLINE file."""
    with Library(library_path) as opened:
        opened.importing.files([SEED_FILE])
    return library_path


# --- synthetic records (the benchmark's generator) --------------------------------------------


@pytest.fixture(scope="session")
def synthetic_medline(tmp_path_factory) -> tuple[Path, list[Reference]]:
    """A file of SYNTHETIC_RECORDS generated records (seed SYNTHETIC_SEED), and the references
    it reads as, without a problem."""
    path = tmp_path_factory.mktemp("synthetic") / "records.nbib"
    synthetic.write_medline(path, SYNTHETIC_RECORDS, SYNTHETIC_SEED)
    problems: list = []
    refs = list(medline.read(path, on_problem=problems.append))
    assert problems == []
    return path, refs


@pytest.fixture(scope="session")
def synthetic_parts(tmp_path_factory) -> list[Path]:
    """PARTS files of RECORDS_PER_PART generated records each, part1.nbib... (one numbering
    across them: no duplicates between files)."""
    folder = tmp_path_factory.mktemp("parts")
    records = synthetic.records(PARTS * RECORDS_PER_PART)
    paths = []
    for n in range(PARTS):
        path = folder / f"part{n + 1}.nbib"
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for text in itertools.islice(records, RECORDS_PER_PART):
                out.write("\n" + text)
        paths.append(path)
    return paths

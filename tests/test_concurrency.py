"""The window and the command line on one library at the same time.

The library is in WAL mode: readers never wait for a writer and see the last commit; a writer
waits up to the busy timeout (5 s) for another writer's transaction to end, then gives up with
a plain message. The window here is a real MainWindow (offscreen) in this process; the command
line is the installed ``refman`` in a child process, as a user runs it from a terminal.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from refman.gui.main_window import MainWindow
from refman.library import Library
from refman.model import Reference
from refman.store import items
from tests.safety_helpers import DATA, SAMPLES, refman

OFFSCREEN_NOISE = "This plugin does not support "  # the offscreen platform's own warnings


@pytest.fixture
def library_path(tmp_path) -> Path:
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        library.importing.files(SAMPLES[:1])
    return path


def hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    """Another program in the middle of a long write: a transaction open for ``seconds``."""
    with Library(path) as library, library.connection.writing() as db:
        items.insert(db, [Reference(title="Written slowly")])
        started.set()
        time.sleep(seconds)


def test_the_command_line_waits_for_a_short_write_elsewhere(library_path):
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(library_path, 2.0, started))
    writer.start()
    started.wait(10)
    begun = time.monotonic()
    result = refman(library_path, "import", DATA / "zotero-case-02.nbib")
    waited = time.monotonic() - begun
    writer.join()
    assert result.returncode == 0, result.stderr
    assert "2 added" in result.stdout
    assert waited > 1.0  # it did meet the other writer
    with Library(library_path) as library:
        titles = [ref.title for ref in library.items.get_many(library.items.search())]
    assert "Written slowly" in titles


def test_a_write_longer_than_the_busy_timeout_is_a_plain_message(library_path):
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(library_path, 8.0, started))
    writer.start()
    started.wait(10)
    try:
        result = refman(library_path, "tag", "add", "later", "--all")
    finally:
        writer.join()
    assert result.returncode == 1
    assert "busy: another program is writing to it. Try again." in result.stderr
    again = refman(library_path, "tag", "add", "later", "--all")
    assert again.returncode == 0  # and once the writer is done, it works


def test_reading_does_not_wait_for_a_long_import(library_path, tmp_path):
    """While the window imports (one transaction per file), the command line lists at once
    what was committed before."""
    before = len(refman(library_path, "list").stdout.splitlines())
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(library_path, 6.0, started))
    writer.start()
    started.wait(10)
    try:
        begun = time.monotonic()
        result = refman(library_path, "list")
        took = time.monotonic() - begun
    finally:
        writer.join()
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == before
    assert took < 5.0  # it did not wait for the writer (which holds on for 6 s)


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_the_command_line_imports_while_a_window_is_open(qtbot, library_path, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with Library(library_path) as library:
        window = MainWindow(library, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 1)

        result = refman(library_path, "import", DATA / "pubmed_result2.txt")
        assert result.returncode == 0, result.stderr

        # The window shows the new items at its next search...
        qtbot.keyClicks(window.search_box, "python")
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 4)
        # ... and when the search is cleared, the seed and the file's four records.
        window.search_box.clear()
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 5)
        assert window.count_label.text() == "5 items"
        window.close()


# --- reads of several statements see one state -------------------------------------------------
# Another program's commit landing between two statements of one read: each test commits from
# another connection at exactly that moment (the torture run in tests/system found these at
# random).


def commit_between(monkeypatch, module, name: str, commit, *, after=None) -> None:
    """Make ``module.name`` run ``commit()`` (once) before it reads; with ``after``, after it
    read, on the first call whose arguments ``after(*args)`` accepts."""
    original = getattr(module, name)
    done = []

    def with_a_commit_elsewhere(*args, **kwargs):
        if not done and after is None:
            done.append(commit())
        result = original(*args, **kwargs)
        if not done and after is not None and after(*args):
            done.append(commit())
        return result

    monkeypatch.setattr(module, name, with_a_commit_elsewhere)


def test_the_tag_list_is_read_whole_while_another_program_adds_tags(library_path, monkeypatch):
    from refman.store import tags

    with Library(library_path) as library, Library(library_path) as elsewhere:
        ids = library.items.search()
        library.tags.add(ids, ["a", "b", "c"])
        library.tags.remove(ids, ["b"])  # a gap in the tag ids
        library.tags.add(ids, ["d"])  # a new tag: the kept listing is read again
        with Library(library_path, read_only=True) as reader:
            before = reader.tags.names()
        commit_between(monkeypatch, tags, "_ranks", lambda: elsewhere.tags.add(ids, ["new"]))
        assert library.tags.names() == before
        assert "new" in library.tags.names()  # the next read sees the commit


def test_a_listing_finds_every_item_it_searched_while_another_program_deletes(library_path):
    with Library(library_path) as library, Library(library_path) as elsewhere:
        ids = library.items.search()
        listed = library.items.each()
        first = next(listed)  # the listing has begun: its snapshot is taken
        elsewhere.items.trash(ids)
        elsewhere.items.empty_trash()
        assert [first.id] + [ref.id for ref in listed] == ids
        assert library.items.search() == []


def test_check_finds_nothing_while_another_program_writes(library_path, monkeypatch):
    from refman.store import fts

    with Library(library_path) as library, Library(library_path) as elsewhere:
        ids = library.items.search()
        library.tags.add(ids, ["soon gone"])
        # The ids to compare are listed, then the tag and its index row go, then the index
        # is read: without one snapshot the tag would be "missing from tag_fts".
        untag = lambda: elsewhere.tags.remove(ids, ["soon gone"])  # noqa: E731
        on_tags = lambda db, table: table.name == "tag_fts"  # noqa: E731
        commit_between(monkeypatch, fts, "_all_ids", untag, after=on_tags)
        report = library.safety.check()
    assert report.found == [] and report.saved is None

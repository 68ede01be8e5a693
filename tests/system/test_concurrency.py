"""The window and the command line on one library at the same time.

The library is in WAL mode: readers never wait for a writer and see the last commit; a writer
waits up to the busy timeout (5 s) for another writer's transaction to end, then gives up with
a plain message. The window here is a real MainWindow (offscreen) in this process; the command
line is the installed ``refman`` in a child process, as a user runs it from a terminal. Reads of
several statements that another program's commit lands between are tested in
tests/unit/library/ (test_items.py, test_tags.py, test_safety.py).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QSettings

from refman.gui.main_window import MainWindow
from refman.library import Library
from refman.model import Reference
from refman.store import items
from tests.safety_helpers import refman
from tests.samples import RESULT2, ZOTERO_CASES


def hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    """Another program in the middle of a long write: a transaction open for ``seconds``."""
    with Library(path) as library, library.connection.writing() as db:
        items.insert(db, [Reference(title="Written slowly")])
        started.set()
        time.sleep(seconds)


def test_the_command_line_waits_for_a_short_write_elsewhere(seed_only_library):
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(seed_only_library, 2.0, started))
    writer.start()
    started.wait(10)
    begun = time.monotonic()
    result = refman(seed_only_library, "import", ZOTERO_CASES[1])
    waited = time.monotonic() - begun
    writer.join()
    assert result.returncode == 0, result.stderr
    assert "2 added" in result.stdout
    assert waited > 1.0  # it did meet the other writer
    with Library(seed_only_library) as library:
        titles = [ref.title for ref in library.items.get_many(library.items.search())]
    assert "Written slowly" in titles


def test_a_write_longer_than_the_busy_timeout_is_a_plain_message(seed_only_library):
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(seed_only_library, 8.0, started))
    writer.start()
    started.wait(10)
    try:
        result = refman(seed_only_library, "tag", "add", "later", "--all")
    finally:
        writer.join()
    assert result.returncode == 1
    assert "busy: another program is writing to it. Try again." in result.stderr
    again = refman(seed_only_library, "tag", "add", "later", "--all")
    assert again.returncode == 0  # and once the writer is done, it works


def test_reading_does_not_wait_for_a_long_import(seed_only_library, tmp_path):
    """While the window imports (one transaction per file), the command line lists at once
    what was committed before."""
    before = len(refman(seed_only_library, "list").stdout.splitlines())
    started = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(seed_only_library, 6.0, started))
    writer.start()
    started.wait(10)
    try:
        begun = time.monotonic()
        result = refman(seed_only_library, "list")
        took = time.monotonic() - begun
    finally:
        writer.join()
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == before
    assert took < 5.0  # it did not wait for the writer (which holds on for 6 s)


def test_the_command_line_imports_while_a_window_is_open(qtbot, seed_only_library, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with Library(seed_only_library) as library:
        window = MainWindow(library, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 1)

        result = refman(seed_only_library, "import", RESULT2)
        assert result.returncode == 0, result.stderr

        # The window shows the new items at its next search...
        qtbot.keyClicks(window.search_box, "python")
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 4)
        # ... and when the search is cleared, the seed and the file's four records.
        window.search_box.clear()
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 5)
        assert window.count_label.text() == "5 items"
        window.close()

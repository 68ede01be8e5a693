"""refman.gui.library_update: a library an older refman made is updated before the window
opens, in a thread, with its progress shown and the window's event loop running; a step that
fails is told plainly and leaves the library as the step before left it; the library as it
was is kept in its backups folder first (refman.library.core), and without that copy nothing
is updated. The command line's message is tested here too, with the same library."""

from __future__ import annotations

import sqlite3
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from refman import app as command_line
from refman.gui import app
from refman.library import Library, backups, update_steps_pending
from refman.model import LibraryError, Reference
from refman.store import migrations


def a_library(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        library.items.add(Reference(title="Kept through the update", pmid="123"))
    return path


def add_steps(monkeypatch, *steps):
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, *steps])


def slow_step(db):
    time.sleep(0.7)  # longer than the dialog's delay, as a step of a big library is


def progress_texts_while(call) -> tuple[object, list[str], int]:
    """What ``call`` returns, the progress windows' texts seen while it ran, and how often a
    timer of the window's event loop fired meanwhile (0 would mean a frozen window)."""
    seen: list[str] = []
    ticks = 0

    def look():
        nonlocal ticks
        ticks += 1
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                seen.append(widget.labelText())

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)
    try:
        result = call()
    finally:
        timer.stop()
    return result, seen, ticks


def test_an_older_library_is_updated_with_its_steps_shown_and_the_window_responsive(
    qapp, tmp_path, monkeypatch, shown_errors
):
    path = a_library(tmp_path)
    add_steps(monkeypatch, slow_step, slow_step)
    assert update_steps_pending(path) == 2
    library, seen, ticks = progress_texts_while(lambda: app.open_library(path))
    assert library is not None
    try:
        assert any("library.sqlite" in text and "step 1 of 2" in text for text in seen)
        assert any("step 2 of 2" in text for text in seen)
        assert ticks >= 10  # 1.4 s of steps, a tick each 50 ms: the loop kept running
        assert [ref.title for ref in library.items.get_many(library.items.search())] == [
            "Kept through the update"
        ]
        assert not library.read_only
    finally:
        library.close()
    assert update_steps_pending(path) == 0
    assert shown_errors == []
    visible = [w for w in qapp.topLevelWidgets() if isinstance(w, QProgressDialog)]
    assert not any(w.isVisible() for w in visible)


def test_a_quick_update_shows_no_progress_window(qapp, tmp_path, monkeypatch):
    path = a_library(tmp_path)
    add_steps(monkeypatch, lambda db: None)
    library, seen, _ticks = progress_texts_while(lambda: app.open_library(path))
    assert library is not None
    library.close()
    assert seen == []
    assert update_steps_pending(path) == 0


def full_disk(db):
    raise sqlite3.OperationalError("database or disk is full")


def test_a_failing_step_is_told_plainly_and_the_library_keeps_its_steps_done(
    qapp, tmp_path, monkeypatch, shown_errors
):
    path = a_library(tmp_path)
    add_steps(monkeypatch, lambda db: db.execute_sql("CREATE TABLE step_one (x)"), full_disk)
    assert app.open_library(path) is None
    assert len(shown_errors) == 1
    assert f"The library {path} cannot be opened." in shown_errors[0]
    assert "full" in shown_errors[0]
    assert "Traceback" not in shown_errors[0]
    assert update_steps_pending(path) == 1  # the first step kept, the failed one not made
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT title FROM item").fetchall() == [("Kept through the update",)]
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:-1] + [lambda db: None])
    library = app.open_library(path)  # the disk has room again: the update goes on
    assert library is not None
    library.close()
    assert update_steps_pending(path) == 0


def test_the_command_line_says_it_updates_the_library(tmp_path, monkeypatch, capsys):
    path = a_library(tmp_path)
    add_steps(monkeypatch, lambda db: None, lambda db: None)
    assert command_line.main(["--library", str(path), "list"]) == 0
    captured = capsys.readouterr()
    assert "Kept through the update" in captured.out
    assert captured.err.splitlines() == [
        "refman: updating the library for this version of refman (2 steps; this happens once)...",
        "refman: the library is updated.",
    ]
    assert command_line.main(["--library", str(path), "list"]) == 0
    assert capsys.readouterr().err == ""  # once only
    (tmp_path / "other").mkdir()
    new = tmp_path / "other" / "new.sqlite"
    assert command_line.main(["--library", str(new), "list"]) == 0
    assert capsys.readouterr().err == ""  # a new library is made, not updated
    assert [p.name for p in new.parent.iterdir() if p.name.endswith("sqlite")] == ["new.sqlite"]


def test_the_library_as_it_was_is_kept_before_the_update(tmp_path, monkeypatch):
    path = a_library(tmp_path)
    old_version = len(migrations.MIGRATIONS)
    add_steps(monkeypatch, lambda db: db.execute_sql("DELETE FROM item"))  # a step gone wrong
    Library(path).close()
    (copy,) = [b for b in backups.list_backups(path) if b.label == backups.BEFORE_UPDATE]
    assert not copy.regular  # kept apart: the daily backups do not push it out
    with sqlite3.connect(copy.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == old_version
        assert db.execute("SELECT title FROM item").fetchall() == [("Kept through the update",)]
    Library(path).close()  # no second copy once updated
    assert [b.label for b in backups.list_backups(path)] == [backups.BEFORE_UPDATE]


def test_no_update_without_the_copy_and_the_user_is_told(
    qapp, tmp_path, monkeypatch, shown_errors
):
    path = a_library(tmp_path)
    add_steps(monkeypatch, lambda db: db.execute_sql("DELETE FROM item"))

    def disk_full(library, label):
        raise LibraryError(f"Cannot write the backup {library}.copy: No space left on device")

    monkeypatch.setattr(backups, "save_as_is", disk_full)
    assert app.open_library(path) is None
    (told,) = shown_errors
    assert "older version of refman" in told and "No space left on device" in told
    assert "The library has not been changed." in told
    assert update_steps_pending(path) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT title FROM item").fetchall() == [("Kept through the update",)]


def test_a_slow_copy_before_the_update_is_said_as_such(qapp, tmp_path, monkeypatch):
    path = a_library(tmp_path)
    add_steps(monkeypatch, lambda db: None)
    copy = backups.save_as_is

    def slow_copy(library, label):
        time.sleep(0.7)  # a million-item library's copy takes minutes
        return copy(library, label)

    monkeypatch.setattr(backups, "save_as_is", slow_copy)
    library, seen, _ticks = progress_texts_while(lambda: app.open_library(path))
    assert library is not None
    library.close()
    assert any("Keeping a copy of the library library.sqlite" in text for text in seen)

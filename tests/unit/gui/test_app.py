"""refman.gui.app, starting the window: a library that cannot be opened, files named on start,
unexpected errors; a library in trouble (damaged on start or found damaged while open, on a
read-only disk, in a synced folder); and the daily backup, which runs only after the window has
appeared. The window started as a process of its own is in tests/system/."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

import refman.logs
from refman import app as command_line
from refman.gui import app, dialogs, single_instance
from refman.gui.main_window import MainWindow
from refman.library import Library, backups
from refman.model import LibraryError, Reference, RefmanError
from tests.safety_helpers import (
    BAD_LIBRARIES,
    expected_message,
    fill_library,
    snapshot,
    wreck_table,
)
from tests.samples import RESULT2
from tests.unit.gui.helpers import IMPORT_TIMEOUT_MS


@pytest.fixture
def app_settings(qapp, tmp_path):
    """run() names the application, uses default QSettings and sets sys.excepthook: keep all
    three away from the user and from the other tests."""
    names = qapp.organizationName(), qapp.applicationName()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    hook = sys.excepthook
    yield
    sys.excepthook = hook
    qapp.setOrganizationName(names[0])
    qapp.setApplicationName(names[1])


def test_a_library_that_cannot_be_opened_is_explained(tmp_path, shown_errors, app_settings):
    bad = tmp_path / "library.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    assert app.run(bad, []) == 1
    assert len(shown_errors) == 1
    assert str(bad) in shown_errors[0]
    assert "Traceback" not in shown_errors[0]


@pytest.mark.parametrize("kind", list(BAD_LIBRARIES))
def test_a_path_that_cannot_be_a_library_gets_the_command_lines_message(
    tmp_path, kind, shown_errors, app_settings, capsys
):
    path = BAD_LIBRARIES[kind][0](tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert command_line.main(["--library", str(path), "list"]) == 1
    told = capsys.readouterr().err
    assert "Traceback" not in told
    said = told.removeprefix("refman: ").rstrip("\n")
    assert said.startswith(expected_message(kind, tmp_path, path))
    assert app.run(path, []) == 1
    assert shown_errors == [f"The library {path} cannot be opened.\n\n{said}"]
    assert sorted(tmp_path.rglob("*")) == before  # no folder made, nothing beside it


def test_files_named_on_start_are_imported(qtbot, tmp_path, monkeypatch, app_settings):
    def fake_exec():  # stands in for the event loop: wait for the import, then quit
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next(w for w in shown if w.isVisible())  # earlier tests' windows are closed
        with qtbot.waitSignal(window.importer().finished, timeout=IMPORT_TIMEOUT_MS):
            pass
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    path = tmp_path / "library.sqlite"
    assert app.run(path, [str(RESULT2)]) == 0
    assert QApplication.organizationName() == "refman"
    assert sys.excepthook is app.report_unexpected
    with Library(path) as library:
        assert library.items.count() == 4


def test_sigterm_is_the_window_s_while_it_is_open_and_given_back_after(
    qtbot, tmp_path, monkeypatch, app_settings
):
    """The window quits on SIGTERM (tests/system sends it to a real window); the handler
    goes when the window does, so that the process ends on SIGTERM again."""
    before = signal.getsignal(signal.SIGTERM)
    during = []

    def fake_exec():
        during.append(signal.getsignal(signal.SIGTERM))
        for window in QApplication.topLevelWidgets():
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert app.run(tmp_path / "library.sqlite", []) == 0
    assert during and during[0] is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_an_unexpected_error_is_logged_and_told_plainly(
    tmp_path, monkeypatch, shown_errors, caplog
):
    monkeypatch.setattr(refman.logs, "log_file", lambda: tmp_path / "refman.log")
    try:
        raise ValueError("bad value")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR, logger="refman.gui"):
            app.report_unexpected(type(exc), exc, exc.__traceback__)
    assert shown_errors[0].startswith("Something went wrong: bad value.")
    assert str(tmp_path / "refman.log") in shown_errors[0]
    assert "Traceback" not in shown_errors[0]
    assert "ValueError: bad value" in (tmp_path / "refman.log").read_text()
    assert caplog.records and caplog.records[0].exc_info


def test_an_uncaught_refman_error_is_told_as_it_is(shown_errors):
    exc = RefmanError("The file is read-only.")
    app.report_unexpected(RefmanError, exc, None)
    assert shown_errors == ["The file is read-only."]


def test_a_second_start_hands_its_files_to_the_open_window(tmp_path, monkeypatch, app_settings):
    handed = []
    monkeypatch.setattr(
        single_instance, "hand_off", lambda path, files: handed.append((path, files)) or True
    )
    path = tmp_path / "library.sqlite"
    assert app.run(path, ["a.nbib"]) == 0
    assert handed == [(path, ["a.nbib"])]
    assert not path.exists()  # the second start never opened the library


# --- a library in trouble -------------------------------------------------------------------------


class DamageDialog:
    """Stands in for the damage dialog: answers with ``replies`` in turn, records each
    question as (the thread it was asked in, the text shown)."""

    def __init__(self):
        self.asked: list[tuple[str, str]] = []
        self.replies: list[str] = []

    def __call__(self, damage) -> str:
        self.asked.append((threading.current_thread().name, app.damage_text(damage)))
        return self.replies.pop(0)


@pytest.fixture
def answers(monkeypatch) -> DamageDialog:
    dialog = DamageDialog()
    monkeypatch.setattr(app, "ask_about_damage", dialog)
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: dialog.asked.append(message))
    monkeypatch.setattr(dialogs, "show_warning", lambda parent, text: dialog.asked.append(text))
    return dialog


def open_window() -> MainWindow:
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return next(w for w in shown if w.isVisible())  # earlier tests' windows are closed


def run_with(monkeypatch, library_path, *steps) -> tuple[int, list]:
    """app.run() with each event loop replaced by the next step (a function of the window)."""
    seen = []

    def fake_exec():
        window = open_window()
        seen.append(steps[len(seen)](window))
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    return app.run(library_path, []), seen


def ids_shown(window: MainWindow) -> list:
    return sorted(window.table_model.ids)


# --- damaged on start -----------------------------------------------------------------------------


def test_a_damaged_library_is_restored_from_its_backup_on_request(
    monkeypatch, app_settings, filled_library, answers
):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    expected = snapshot(good)
    wreck_table(filled_library)
    answers.replies.append(app.RESTORE)
    status, seen = run_with(monkeypatch, filled_library, lambda w: ids_shown(w))
    assert status == 0
    assert "damaged" in answers.asked[0][1] and "2024-06-01" in answers.asked[0][1]
    assert seen == [sorted(ref.id for ref in expected[0] if not ref.trashed)]
    assert snapshot(filled_library) == expected


def test_a_damaged_library_can_be_opened_read_only(
    qtbot, monkeypatch, app_settings, filled_library, answers
):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library, "note")
    answers.replies.append(app.READ_ONLY)

    def look(window):
        actions = window.findChildren(QAction)
        import_action = next(action for action in actions if action.text() == "&Import…")
        with pytest.raises(LibraryError, match="read-only"):
            window.library.items.add(Reference(title="x"))
        return window.windowTitle(), window.read_only_label.text(), import_action.isEnabled()

    status, seen = run_with(monkeypatch, filled_library, look)
    title, label, can_import = seen[0]
    assert "(read-only)" in title
    assert "changes cannot be saved" in label
    assert not can_import


def test_quitting_at_the_damage_dialog_opens_no_window(
    monkeypatch, app_settings, filled_library, answers
):
    wreck_table(filled_library)
    answers.replies.append(app.QUIT)
    status, seen = run_with(monkeypatch, filled_library)
    assert (status, seen) == (1, [])
    assert "no backup" in answers.asked[0][1]


# --- the daily check and backup, after the window appeared ----------------------------------------


@pytest.fixture
def at_once(monkeypatch):
    monkeypatch.setattr(app, "CHECK_DELAY_MS", 0)


def test_the_daily_backup_is_made_after_the_window_appeared(
    qtbot, monkeypatch, app_settings, filled_library, at_once
):
    def wait_for_backup(window):
        assert window.isVisible()
        made_before_shown = backups.list_backups(filled_library)
        qtbot.waitUntil(lambda: bool(backups.list_backups(filled_library)), timeout=30_000)
        return made_before_shown

    status, seen = run_with(monkeypatch, filled_library, wait_for_backup)
    assert (status, seen) == (0, [[]])
    (backup,) = backups.list_backups(filled_library)
    assert snapshot(backup.path) == snapshot(filled_library)


@pytest.fixture
def large(monkeypatch):
    """Libraries count as large: not read whole before the window opens, checked just after."""
    monkeypatch.setattr(app, "VERIFY_BEFORE_OPENING_BYTES", 0)


def test_damage_found_while_the_window_is_open_stops_the_changes(
    qtbot, monkeypatch, app_settings, filled_library, answers, at_once, large
):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library, "note")
    answers.replies.append(app.READ_ONLY)

    def wait_for_damage(window):
        qtbot.waitUntil(lambda: bool(answers.asked), timeout=30_000)
        qtbot.waitUntil(lambda: window.library.read_only)
        with pytest.raises(LibraryError, match="read-only"):
            window.library.items.add(Reference(title="x"))
        return "(read-only)" in window.windowTitle()

    status, seen = run_with(monkeypatch, filled_library, wait_for_damage)
    assert seen == [True]
    assert answers.asked[0][0] == threading.main_thread().name  # asked in the window's thread
    assert len(backups.list_backups(filled_library)) == 1  # the damaged file was not copied


def test_damage_found_while_open_can_be_restored_in_a_new_window(
    qtbot, monkeypatch, app_settings, filled_library, answers, at_once, large
):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    with Library(filled_library) as library:
        library.items.add(Reference(title="Added after the backup"))
    wreck_table(filled_library, "note")
    answers.replies.append(app.RESTORE)

    def wait_until_closed(window):
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
        return "closed"

    status, seen = run_with(monkeypatch, filled_library, wait_until_closed, ids_shown)
    assert status == 0
    assert seen[1] == sorted(ref.id for ref in snapshot(good)[0] if not ref.trashed)


# --- a library on a read-only disk ----------------------------------------------------------------


def test_a_library_on_a_read_only_disk_opens_with_a_notice(
    monkeypatch, app_settings, filled_library, read_only_medium
):

    def look(window):
        return window.library.read_only, window.read_only_label.toolTip()

    status, seen = run_with(monkeypatch, filled_library, look)
    read_only, notice = seen[0]
    assert read_only
    assert "read-only disk" in notice and str(filled_library) in notice


# --- damage met by the window itself, and libraries in unsafe folders -----------------------------


def test_damage_met_by_the_window_offers_the_backup_and_restores_after_closing(
    qtbot, monkeypatch, app_settings, filled_library, answers
):
    """The window's own connection meets the damage (no check has run yet): it asks once,
    closes, restores with no connection of its own open, and opens again on the backup."""
    monkeypatch.setattr(app, "CHECK_DELAY_MS", 60_000)  # the background check comes too late
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    answers.replies.append(app.RESTORE)

    def meet_damage(window):
        wreck_table(filled_library, "item")
        with pytest.raises(LibraryError, match="damaged"):
            window.library.items.get_many(window.library.items.all_ids())
        qtbot.waitUntil(lambda: bool(answers.asked), timeout=10_000)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
        return "closed"

    status, seen = run_with(monkeypatch, filled_library, meet_damage, ids_shown)
    assert status == 0 and seen[0] == "closed"
    assert len(answers.asked) == 1  # asked once, in the window's thread
    assert answers.asked[0][0] == threading.main_thread().name
    assert seen[1] == sorted(ref.id for ref in snapshot(good)[0] if not ref.trashed)


def test_a_library_in_a_synced_folder_is_flagged_and_explained_once(
    monkeypatch, app_settings, tmp_path, answers
):
    (tmp_path / "Dropbox").mkdir()
    library_path = fill_library(tmp_path / "Dropbox" / "library.sqlite")

    def look(window):
        return window.storage_label.toolTip()

    for _ in range(2):
        status, seen = run_with(monkeypatch, library_path, look)
        assert "Dropbox synchronises" in seen[0]
    warned = [text for text in answers.asked if "synchronises" in str(text)]
    assert len(warned) == 1  # the dialog the first time only

"""Starting the window: a library that cannot be opened, files named on start, unexpected errors."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
from gui_helpers import DATA, IMPORT_TIMEOUT_MS
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import refman.logs
from refman.gui import app, dialogs, first_paint, single_instance
from refman.gui.main_window import MainWindow
from refman.library import Library
from refman.model import RefmanError
from tests.safety_helpers import refman as run_refman
from tests.test_cli_refusals import BAD_LIBRARIES, expected_message


@pytest.fixture
def shown_errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    return shown


@pytest.fixture
def app_settings(qapp, tmp_path):
    """run() names the application and uses default QSettings: keep both away from the user."""
    names = qapp.organizationName(), qapp.applicationName()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield
    qapp.setOrganizationName(names[0])
    qapp.setApplicationName(names[1])


@pytest.fixture
def keep_excepthook():
    hook = sys.excepthook
    yield
    sys.excepthook = hook


def test_a_library_that_cannot_be_opened_is_explained(
    tmp_path, shown_errors, app_settings, keep_excepthook
):
    bad = tmp_path / "library.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    assert app.run(bad, []) == 1
    assert len(shown_errors) == 1
    assert str(bad) in shown_errors[0]
    assert "Traceback" not in shown_errors[0]


@pytest.mark.parametrize("kind", list(BAD_LIBRARIES))
def test_a_path_that_cannot_be_a_library_gets_the_command_lines_message(
    tmp_path, kind, shown_errors, app_settings, keep_excepthook
):
    path = BAD_LIBRARIES[kind][0](tmp_path)
    before = sorted(tmp_path.rglob("*"))
    said = run_refman(path, "list").stderr.removeprefix("refman: ").rstrip("\n")
    assert said.startswith(expected_message(kind, tmp_path, path))
    assert app.run(path, []) == 1
    assert shown_errors == [f"The library {path} cannot be opened.\n\n{said}"]
    assert sorted(tmp_path.rglob("*")) == before  # no folder made, nothing beside it


def test_files_named_on_start_are_imported(
    qtbot, tmp_path, monkeypatch, app_settings, keep_excepthook
):
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
    assert app.run(path, [str(DATA / "pubmed_result2.txt")]) == 0
    assert QApplication.organizationName() == "refman"
    assert sys.excepthook is app.report_unexpected
    with Library(path) as library:
        assert library.items.count() == 4


def test_sigterm_is_the_window_s_while_it_is_open_and_given_back_after(
    qtbot, tmp_path, monkeypatch, app_settings, keep_excepthook
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


def test_a_second_start_hands_its_files_to_the_open_window(
    tmp_path, monkeypatch, app_settings, keep_excepthook
):
    handed = []
    monkeypatch.setattr(
        single_instance, "hand_off", lambda path, files: handed.append((path, files)) or True
    )
    path = tmp_path / "library.sqlite"
    assert app.run(path, ["a.nbib"]) == 0
    assert handed == [(path, ["a.nbib"])]
    assert not path.exists()  # the second start never opened the library


def test_the_start_up_measurement_reports_the_first_paint(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        library.importing.files([DATA / "pubmed_result2.txt"])
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
        **{first_paint.ENV: "1"},
    )
    done = subprocess.run(
        [sys.executable, "-m", "refman", "--library", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    assert report["rows"] == 4
    assert report["painted_epoch"] <= time.time()
    assert report["shown_after_launch_s"] is None or 0 < report["shown_after_launch_s"] < 120

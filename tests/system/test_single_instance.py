"""One window per library: a second start hands its files to the window already open.

The second start runs in a child process, as it does for a user (a file manager runs
``refman FILE``), while the first window's event loop runs here; last, the real program twice.
How the library's path names its window is tested in tests/unit/gui/test_single_instance.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from refman.gui.single_instance import InstanceServer, hand_off, serve, server_name
from refman.library import Library
from refman.model import RefmanError
from tests.samples import ZOTERO_CASES

SAMPLE = ZOTERO_CASES[1]
SAMPLE_RECORDS = 2
CHILD_TIMEOUT_MS = 30_000
HANDED_OFF, NOT_HANDED_OFF = 0, 3


SECOND_START = """
import json, sys
from refman.gui.single_instance import hand_off
library, files, timeout = json.loads(sys.argv[1])
sys.exit(0 if hand_off(library, files, timeout) else 3)
"""


def second_start(qtbot, library, files, cwd: Path, timeout_ms: int = 3000) -> int:
    """Run ``hand_off`` in another process while this one serves; its exit code."""
    args = json.dumps([str(library), files, timeout_ms])
    child = subprocess.Popen([sys.executable, "-c", SECOND_START, args], cwd=cwd)
    qtbot.waitUntil(lambda: child.poll() is not None, timeout=CHILD_TIMEOUT_MS)
    return child.returncode


class FakeWindow(QWidget):
    """A window that records what it is asked to import."""

    def __init__(self):
        super().__init__()
        self.imported: list[list[str]] = []

    def import_paths(self, paths: list[str]) -> None:
        self.imported.append(paths)


@pytest.fixture
def fake_window(qtbot):
    """A window that records what it is asked to import."""
    window = FakeWindow()
    qtbot.addWidget(window)
    return window


def test_second_start_with_files_gives_them_to_the_open_window(qtbot, fake_window, library_path):
    serve(fake_window, library_path)
    # The second start names the library relative to its folder, and the file too.
    code = second_start(qtbot, "library.sqlite", ["new.nbib"], cwd=library_path.parent)
    assert code == HANDED_OFF
    assert fake_window.imported == [[str(library_path.parent / "new.nbib")]]


def test_second_start_without_files_brings_the_window_back(qtbot, fake_window, library_path):
    serve(fake_window, library_path)
    fake_window.showMinimized()
    assert second_start(qtbot, library_path, [], cwd=library_path.parent) == HANDED_OFF
    qtbot.waitUntil(lambda: not fake_window.isMinimized())
    assert fake_window.isVisible()
    assert fake_window.imported == []


def test_a_start_on_another_library_opens_its_own_window(qtbot, fake_window, tmp_path):
    serve(fake_window, tmp_path / "one.sqlite")
    code = second_start(qtbot, tmp_path / "other.sqlite", ["a.nbib"], cwd=tmp_path)
    assert code == NOT_HANDED_OFF
    assert fake_window.imported == []


def test_a_window_that_does_not_answer_lets_the_second_start_open(qtbot, library_path):
    hung = QLocalServer()  # accepts connections (the system does) but never replies
    assert hung.listen(server_name(library_path))
    started = time.monotonic()
    code = second_start(qtbot, library_path, ["a.nbib"], library_path.parent, timeout_ms=500)
    assert code == NOT_HANDED_OFF
    assert time.monotonic() - started < 10
    # The second start then serves the library itself.
    window = FakeWindow()
    qtbot.addWidget(window)
    serve(window, library_path)
    assert second_start(qtbot, library_path, ["b.nbib"], library_path.parent) == HANDED_OFF
    assert window.imported == [[str(library_path.parent / "b.nbib")]]
    hung.close()


def test_a_socket_left_by_a_crashed_window_is_taken_over(qtbot, fake_window, library_path):
    path = os.path.join(QDir.tempPath(), server_name(library_path))
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(path)  # bound, never listened on, closed: a crashed window's socket file
    leftover.close()
    try:
        assert not hand_off(library_path, ["a.nbib"])
        server = InstanceServer(library_path, fake_window)
        assert server.listen()
        server.files_received.connect(fake_window.import_paths)
        assert second_start(qtbot, library_path, ["b.nbib"], library_path.parent) == HANDED_OFF
        assert fake_window.imported == [[str(library_path.parent / "b.nbib")]]
    finally:
        QLocalServer.removeServer(server_name(library_path))


def test_other_programs_on_the_socket_are_ignored(qtbot, fake_window, library_path):
    serve(fake_window, library_path)
    stranger = QLocalSocket()
    stranger.connectToServer(server_name(library_path))
    qtbot.waitUntil(lambda: stranger.state() == QLocalSocket.LocalSocketState.ConnectedState)
    stranger.write(b"GET / HTTP/1.0\n")
    qtbot.waitUntil(lambda: stranger.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert bytes(stranger.readAll().data()) == b""  # no "ok": the stranger is not refman
    assert fake_window.imported == []
    assert second_start(qtbot, library_path, ["a.nbib"], library_path.parent) == HANDED_OFF
    assert fake_window.imported == [[str(library_path.parent / "a.nbib")]]


# --- the real program -----------------------------------------------------------------------------


def item_count(path: Path) -> int | None:
    try:
        with Library(path, read_only=True) as library:
            return library.items.count()
    except RefmanError:  # not created yet, or busy
        return None


def wait_until(condition, what: str, first: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert first.poll() is None, f"the first window quit before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.2)  # polling other processes: nothing to wait on but time


def test_refman_file_with_the_window_open_imports_into_that_window(tmp_path, library_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env.pop("REFMAN_QUIT_AFTER_SHOWN", None)
    refman = [sys.executable, "-m", "refman", "--library", str(library_path)]
    first = subprocess.Popen(refman, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: hand_off(library_path, []), "window listening", first)
        second = subprocess.run([*refman, str(SAMPLE)], env=env, timeout=60)
        assert second.returncode == 0
        wait_until(lambda: item_count(library_path) == SAMPLE_RECORDS, "items imported", first)
        assert first.poll() is None  # the first window is still open, and did the import
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)

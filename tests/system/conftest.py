"""Process-level tests: the installed ``refman`` in processes of its own (the command line, the
window, offscreen or on an X server), killed, on a full disk, packaged by PyInstaller, beside
other processes on one library; the benchmark's run and the desktop files' tools.

Every test in this folder carries the ``system`` marker (``pytest -m "not system"`` runs the
unit tests alone, ``-m system`` these). An X server for the tests that need a real display is
here too.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.system)


@pytest.fixture
def x_display() -> Iterator[str]:
    """A fresh X server (Xvfb) on a free display, ``:N``, stopped afterwards."""
    server, display = start_xvfb()
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def large_x_display() -> Iterator[str]:
    """An X server as the README's tour runs on (1600x1000), stopped afterwards."""
    server, display = start_xvfb("1600x1000x24")
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def start_xvfb(screen: str = "1280x800x24") -> tuple[subprocess.Popen, str]:
    """An X server on a free display (Xvfb picks one and writes it to -displayfd), its
    screen ``screen`` (WIDTHxHEIGHTxDEPTH)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed: install the xvfb package (see .ci/run)")
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        os.close(write_fd)
        number = _display_number(read_fd, server)
        os.close(read_fd)
        if not number.isdigit():
            server.kill()
            server.wait()
            log.seek(0)
            pytest.fail("Xvfb did not start:\n" + log.read().decode(errors="replace")[-500:])
    return server, f":{number}"


def _display_number(fd: int, server: subprocess.Popen) -> str:
    """The number Xvfb writes, read up to its newline.

    Xvfb writes the digits and the newline separately: closing the pipe after the digits makes
    its second write fail, and Xvfb exits ("Cannot write display number").
    """
    text = b""
    deadline = time.monotonic() + 30
    while not text.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        chunk = os.read(fd, 64) if ready else b""
        if ready and not chunk:
            break
        text += chunk
        if not ready and server.poll() is not None:
            break
    return text.decode().strip()

"""The installed ``refman`` program under a real X server: its window maps and a file imports.

This is the one test that runs the program as a user does: the console script, Qt's xcb
platform plugin, a real X server (Xvfb), a library file on disk. It catches what offscreen
tests cannot: a missing system library for the xcb plugin, a window that never shows, an
import that never reaches the file.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import RefmanError
from tests.safety_helpers import program_env
from tests.samples import BALLOON

SAMPLE_RECORDS = 75
TIMEOUT_S = 60
# The Debian packages .ci/run installs for this test.
NEEDED = "xvfb (Xvfb), x11-utils (xwininfo) and the libxcb-* libraries Qt's xcb plugin loads"


def _require(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        where = "CI" if os.environ.get("CI") else "this machine"
        pytest.fail(f"{program} is not installed on {where}: install {NEEDED} (see .ci/run)")
    return found


def refman_program() -> Path:
    program = Path(sys.executable).parent / "refman"
    if not program.exists():
        pytest.fail(f"{program} is missing: install the package (pip install .) in this venv")
    return program


def display_env(tmp_path: Path, display: str) -> dict[str, str]:
    """The user's environment on a real display, with settings and logs kept in tmp_path."""
    return dict(program_env(tmp_path), DISPLAY=display, QT_QPA_PLATFORM="xcb")


def mapped_refman_windows(display: str) -> list[str]:
    """Lines of ``xwininfo`` for windows titled like refman that are mapped and viewable."""
    env = dict(os.environ, DISPLAY=display)
    xwininfo = _require("xwininfo")
    tree = subprocess.run(
        [xwininfo, "-root", "-tree"], env=env, capture_output=True, text=True, check=True
    ).stdout
    # Qt also makes 1x1 helper windows named after the application; only a viewable one counts.
    candidates = re.findall(r'^\s*(0x[0-9a-f]+) "([^"]*refman[^"]*)"', tree, re.M | re.I)
    shown = []
    for window_id, title in candidates:
        info = subprocess.run(
            [xwininfo, "-id", window_id], env=env, capture_output=True, text=True
        ).stdout
        if "Map State: IsViewable" in info and "Selection Owner" not in title:
            shown.append(f"{window_id} {title!r}")
    return shown


def library_count(path: Path) -> int | None:
    """The items in the library file, or None while it is not there or busy."""
    if not path.exists():
        return None
    try:
        with Library(path, read_only=True) as library:
            return library.items.count()
    except RefmanError:
        return None


def wait_for(condition, what: str, program: subprocess.Popen, output: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if program.poll() is not None:
            pytest.fail(
                f"refman exited ({program.returncode}) before {what}:\n{output.read_text()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {TIMEOUT_S} s:\n{output.read_text()}")
        time.sleep(0.2)  # polling another process: nothing to wait on but time


def test_the_window_shows_and_the_file_imports(tmp_path, x_display):
    library_path = tmp_path / "lib.sqlite"
    output = tmp_path / "refman-output.txt"
    with output.open("w") as sink:
        program = subprocess.Popen(
            [str(refman_program()), "--library", str(library_path), str(BALLOON)],
            env=display_env(tmp_path, x_display),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: mapped_refman_windows(x_display), "mapped window", program, output)
        wait_for(
            lambda: library_count(library_path) == SAMPLE_RECORDS,
            f"{SAMPLE_RECORDS} items in the library",
            program,
            output,
        )
        assert program.poll() is None, f"refman quit on its own:\n{output.read_text()}"
    finally:
        if program.poll() is None:
            program.send_signal(signal.SIGTERM)
        program.wait(timeout=30)

    assert program.returncode in (0, -signal.SIGTERM), output.read_text()
    assert "Traceback" not in output.read_text()
    assert library_count(library_path) == SAMPLE_RECORDS  # the file survives the stop intact

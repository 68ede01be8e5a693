"""LibreOffice itself for the tests: ``soffice --headless`` on a loopback socket with a user
profile of its own (in a temporary folder), driven by small scripts (tests/uno/) that the
system's Python runs: it has LibreOffice's ``uno`` module, refman's environment has not.

``Office.run(script, *args)`` runs ``tests/uno/<script>.py PORT *args`` and gives back the JSON
the script prints; a script that fails fails the test with its error output. Debian's
``libreoffice-writer-nogui`` and ``python3-uno`` packages are needed (.ci/run installs them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).parent / "uno"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-uno puts ``uno``
CONNECT_SECONDS = 120  # a first start writes the profile: slow on a busy machine


@dataclass
class Office:
    """A running headless LibreOffice: its port, its profile folder, its process, and what was
    added to its environment."""

    port: int
    profile: Path
    process: subprocess.Popen
    env: dict[str, str] | None = None

    def run(self, script: str, *args: str, timeout: float = 180, retry: bool = True) -> Any:
        """The JSON ``tests/uno/<script>.py`` prints, run against this office.

        A script that hangs is run once more against the office started again: LibreOffice
        7.4's headless dispatch now and then hangs for good with the machine idle (and then
        does not quit), while the same script passes at once in a new office. A script
        whose office is started again may have told the extension's messages file twice.
        ``retry=False``: a hang fails at once (the first connect of a start).
        """
        try:
            done = self._run(script, args, timeout)
        except subprocess.TimeoutExpired:
            if not retry:
                raise
            self.restart()
            done = self._run(script, args, timeout)
        if done.returncode != 0:
            pytest.fail(f"{script}.py failed (rc {done.returncode}):\n{done.stderr}"
                        f"\nprinted: {done.stdout[:2000]!r}")
        return json.loads(done.stdout)

    def _run(
        self, script: str, args: tuple[str, ...], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SYSTEM_PYTHON, str(SCRIPTS / f"{script}.py"), str(self.port), *args],
            capture_output=True, text=True, timeout=timeout,
        )

    def restart(self) -> None:
        """The office stopped (killed: a hung one does not quit) and started again on the
        same profile, on a new port."""
        _kill(self.process)
        (self.profile / ".lock").unlink(missing_ok=True)  # left by the killed office
        started = start_office(self.profile, self.env)
        self.port, self.process = started.port, started.process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_office(profile: Path, env: dict[str, str] | None = None) -> Office:
    """soffice, headless, listening on a free loopback port; ready once a script connects
    (``env``: added to its environment)."""
    soffice = shutil.which("soffice")
    if soffice is None or not Path(SYSTEM_PYTHON).exists():
        pytest.fail("LibreOffice is not installed: install libreoffice-writer-nogui and "
                    "python3-uno (see .ci/run)")
    port = free_port()
    process = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
        start_new_session=True,  # its own group: soffice starts soffice.bin, both stopped
    )
    office = Office(port, profile, process, env)
    office.run("connect", str(CONNECT_SECONDS), timeout=CONNECT_SECONDS + 30, retry=False)
    return office


def stop_office(office: Office) -> None:
    """Asked to quit, then its process group ended if it lingers."""
    subprocess.run([SYSTEM_PYTHON, str(SCRIPTS / "quit.py"), str(office.port)],
                   capture_output=True, timeout=60)
    try:
        office.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _kill(office.process)


def _kill(process: subprocess.Popen) -> None:
    """soffice and the soffice.bin it started (its process group) ended at once."""
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    """A headless LibreOffice for the module's tests, stopped after them."""
    running = start_office(tmp_path_factory.mktemp("lo-profile"))
    try:
        yield running
    finally:
        stop_office(running)


@dataclass
class Extension:
    """refman's extension installed in a running office, which asks refman on ``port`` (the
    test's server, given as REFMAN_PORT) unless a port file in ``cache`` (the office's
    XDG_CACHE_HOME, refman's cache folder under it) names another, and writes what it would
    tell the user to ``messages``, a line each."""

    office: Office
    port: int
    messages: Path
    cache: Path | None = None

    def told(self) -> list[str]:
        if not self.messages.exists():
            return []
        return [json.loads(line) for line in self.messages.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def extension(tmp_path_factory) -> Iterator[Extension]:
    """A headless LibreOffice with refman's extension (built by refman, installed by unopkg
    into the office's own profile before it starts), stopped after the module's tests."""
    from refman import libreoffice

    folder = tmp_path_factory.mktemp("lo-extension")
    profile = folder / "profile"
    libreoffice.install(libreoffice.build(folder / "refman.oxt"), profile)
    port, messages, cache = free_port(), folder / "messages.txt", folder / "cache"
    running = start_office(profile, {"REFMAN_PORT": str(port),
                                     "REFMAN_LO_MESSAGES": str(messages),
                                     "XDG_CACHE_HOME": str(cache)})
    try:
        yield Extension(running, port, messages, cache)
    finally:
        stop_office(running)

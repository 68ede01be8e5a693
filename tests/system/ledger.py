"""The torture run's ledger: the files it imports, the changes its processes try, what they read.

A change is an ``Attempt``. It is ``done`` only once its process said so: ``refman`` exited 0
with its summary, or the window driver wrote its ``done`` line after the commit. It is
``failed`` when the process said the library was busy (or the window refused a second import
while one ran: ``refused``), and ``unknown`` when the process was killed before it said.
The window driver writes its own ledger (``window_driver``); ``window_attempts`` reads it.
"""

from __future__ import annotations

import collections
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.safety_helpers import WindowProcess

BUSY = "is busy: another program is writing to it. Try again."


@dataclass
class Source:
    """A MEDLINE file the run imports, and the PMIDs of its records."""

    path: Path
    pmids: tuple[str, ...]
    synthetic: bool  # records made for this run, each file imported once; else a sample file


@dataclass
class Attempt:
    """One change a process tried, and what became of it."""

    who: str
    kind: str  # import, tag, note, collection
    began: float
    what: dict
    outcome: str = "open"  # done, failed, refused, unknown
    ended: float | None = None


@dataclass
class Read:
    """The PMIDs one read saw (a list, an export, a backup), and when it ran."""

    who: str
    what: str
    began: float
    ended: float
    pmids: collections.Counter


@dataclass
class Command:
    """One ``refman`` process of a lane (or a hand-off to the window)."""

    lane: str
    kind: str
    argv: list[str]
    began: float
    process: subprocess.Popen
    out: object  # temporary files for stdout and stderr: a pipe can fill up and block
    err: object
    attempt: Attempt | None = None
    judge: Callable | None = None  # judge(run, command, stdout) after exit 0
    kill_at: float | None = None
    killed: bool = False

    def describe(self) -> str:
        """The command line, short: file names without their folders."""
        words = [Path(a).name if "/" in a else a for a in self.argv[3:]]
        return " ".join(words)[:90]

    def output(self) -> tuple[str, str]:
        """stdout and stderr, once it has ended; the files are closed."""
        texts = []
        for stream in (self.out, self.err):
            stream.seek(0)
            texts.append(stream.read().decode(errors="replace"))
            stream.close()
        return texts[0], texts[1]


@dataclass
class Lane:
    """A user at a terminal: one ``refman`` command after another."""

    name: str
    tags: tuple[str, ...]  # the tags only this lane changes
    command: Command | None = None
    count: int = 0
    kill_armed: bool = False


@dataclass
class Window:
    """One start of the window (after a kill, the run starts another)."""

    number: int
    ledger: Path
    process: WindowProcess
    ready: bool = False
    killed: bool = False
    started: float = field(default_factory=time.time)

    @property
    def name(self) -> str:
        return f"window{self.number}"

    def entries(self) -> list[dict]:
        """The driver's ledger so far (a line cut short by a kill is left out)."""
        if not self.ledger.exists():
            return []
        lines = self.ledger.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def said(self, event: str) -> bool:
        return any(entry.get("event") == event for entry in self.entries())


@dataclass
class WindowLedger:
    """The window's attempts read from its ledger, what it told the user, its events."""

    attempts: list[Attempt] = field(default_factory=list)
    messages: list[tuple[float, str]] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    results: list[tuple[Attempt, dict]] = field(default_factory=list)  # the ends, as written


def window_attempts(window: Window) -> WindowLedger:
    """Pair each ``begin`` with its end; a begin without an end is ``open`` (the caller
    decides: unknown after a kill, else a problem)."""
    ledger = WindowLedger()
    pending: dict[str, Attempt] = {}
    for entry in window.entries():
        when = entry["t"]
        if entry.get("event") == "message":
            ledger.messages.append((when, entry["text"]))
        elif "event" in entry:
            ledger.events.append((when, f"{window.name} {entry['event']}"))
        elif entry["state"] == "begin":
            attempt = _begun(window.name, entry)
            ledger.attempts.append(attempt)
            if attempt.outcome == "open":
                pending[attempt.kind] = attempt
        else:
            attempt = pending.pop(entry["op"])
            attempt.outcome, attempt.ended = entry["state"], when
            ledger.results.append((attempt, entry))
    return ledger


def _begun(who: str, entry: dict) -> Attempt:
    what = {k: v for k, v in entry.items() if k not in ("t", "pid", "op", "state")}
    if entry["op"] != "import":
        return Attempt(who, entry["op"], entry["t"], what)
    attempt = Attempt(who, "import", entry["t"], {"source": what["files"][0]})
    if what["refused"]:  # an import was running: the window said so and did nothing
        attempt.outcome, attempt.ended = "refused", entry["t"]
    return attempt

"""The torture run: the window and four command-line users on one library, at random.

Modelled on how SQLite tests itself: many processes do real work on one file at random (a
seed, printed, replays the same choices), some are killed at random moments, and afterwards
the file must be sound and hold exactly what the processes said they had committed.

- A *lane* is a user at a terminal running one ``refman`` command after another, each a real
  process (tests/system/commands.py: imports, lists, exports, tags, notes, backups, checks).
- The *window* is the real program, run by tests/system/window_driver.py: it imports the
  files other processes hand it (``refman --library L FILE``) and edits on its own through its
  widgets. It is started first, and the lanes start once it has made its daily backup (the
  moment issue 11 found it losing its locks).
- With ``kills``, every few seconds either the window is killed (and started again) or a lane
  is armed: its next command is killed at a random moment of its life.
- Everything that ran is in the log (``torture.log`` in the run's folder); the report shows the
  seed, the problems and the last events.

The ledger (tests/system/ledger.py) says what each change became; tests/system/ledger_checks.py
holds the library to it.
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import synthetic
from refman.library import Library
from refman.model import ViewQuery
from tests.safety_helpers import (
    REFMAN,
    WindowProcess,
    file_pmids,
    pmid_counts,
    program_env,
)
from tests.samples import REAL_FILES, SEED_FILE
from tests.system import commands
from tests.system.ledger import (
    BUSY,
    Command,
    Lane,
    Read,
    Source,
    Window,
    window_attempts,
)

SEED_VARIABLE = "REFMAN_TORTURE_SEED"
REPO = Path(__file__).parents[2]
LANES = 4
ANCHORS = 12  # the items tags and notes go on, each found by a title word of its own
ANCHOR_WORD = "zqanchor{:02d}"
SYNTHETIC_RECORDS = 1200  # new records; a larger library makes every command slower
CHUNK_RECORDS = (5, 50)
COMMAND_TIMEOUT_S = 60
HAND_OFF_TIMEOUT_S = 20
WINDOW_READY_TIMEOUT_S = 30
WINDOW_QUIT_TIMEOUT_S = 30
BACKUP_TIMEOUT_S = 30
LOOP_PAUSE_S = 0.02
HAND_OFF_EVERY_S = (0.8, 2.0)
KILL_EVERY_S = (3.0, 6.0)
WINDOW_KILLS = 0.3  # the share of kills that hit the window
TYPICAL_COMMAND_S = 0.8  # until the run has timed some


class TortureRun:
    """One run: ``prepare`` the library and the files, ``run`` the processes, then the caller
    verifies (ledger_checks) and asks for the ``report``."""

    def __init__(self, folder: Path, seed: int, *, kills: bool):
        self.folder = folder
        self.seed = seed
        self.kills = kills
        self.rng = random.Random(seed)
        self.library = folder / "library.sqlite"
        self.env = program_env(folder)
        self.t0 = time.time()
        self.events: list[tuple[float, str]] = []
        self.problems: list[str] = []
        self.attempts = []
        self.reads: list[Read] = []
        self.sources: dict[str, Source] = {}
        self.fresh: list[Source] = []  # synthetic files not imported yet
        self.seed_pmids: set[str] = set()
        self.anchors: dict[int, str] = {}  # item id -> its title word
        self.anchor_pmids: dict[int, str] = {}
        self.windows: list[Window] = []
        self.hand_off: Command | None = None
        self.lanes = [Lane(f"lane{n}", (f"lane{n}-red", f"lane{n}-blue")) for n in range(LANES)]
        self.durations: dict[str, collections.deque] = collections.defaultdict(
            lambda: collections.deque(maxlen=5)
        )
        self.window_kill_due = False
        self.kill_count = 0
        self.busy_count = 0

    def log(self, text: str, when: float | None = None) -> None:
        self.events.append(((when or time.time()) - self.t0, text))

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.log(f"PROBLEM: {text}")

    def saw(self, command: Command, what: str, pmids) -> None:
        """Record a read: ``command`` saw these PMIDs."""
        counted = collections.Counter(pmids)
        self.reads.append(Read(command.lane, what, command.began, time.time(), counted))

    def sample(self) -> Source:
        return self.sources[str(self.rng.choice(REAL_FILES))]

    # --- preparing ----------------------------------------------------------------------------

    def prepare(self) -> None:
        """The library (the seed record and the anchors), the files of new records to come."""
        files = self.folder / "files"
        files.mkdir()
        records = list(synthetic.records(SYNTHETIC_RECORDS, seed=self.seed))
        anchors = [_anchored(text, ANCHOR_WORD.format(n)) for n, text in enumerate(records)]
        (files / "anchors.nbib").write_text("\n".join(anchors[:ANCHORS]), encoding="utf-8")
        self._chunks(files, records[ANCHORS:])
        for path in REAL_FILES:
            self.sources[str(path)] = Source(path, tuple(file_pmids(path)), synthetic=False)
        with Library(self.library) as library:
            report = library.importing.files([SEED_FILE, files / "anchors.nbib"])
            assert report.files_read == 2 and not report.problems, report.problems
            for n in range(ANCHORS):
                (item_id,) = library.items.search(ViewQuery(text=ANCHOR_WORD.format(n)))
                self.anchors[item_id] = ANCHOR_WORD.format(n)
                self.anchor_pmids[item_id] = library.items.get(item_id).pmid
        self.seed_pmids = set(pmid_counts(self.library))
        every = [p for s in self.sources.values() for p in s.pmids]
        every += list(self.anchor_pmids.values())
        assert len(every) == len(set(every)), "the records of a run must have PMIDs of their own"

    def _chunks(self, folder: Path, records: list[str]) -> None:
        """Records in files of a few to some dozens, each to be imported once."""
        start = 0
        while start < len(records):
            chunk = records[start : start + self.rng.randint(*CHUNK_RECORDS)]
            path = folder / f"new-{len(self.sources):03d}.nbib"
            path.write_text("\n".join(chunk), encoding="utf-8")
            pmids = tuple(re.match(r"PMID- (\d+)", text).group(1) for text in chunk)
            self.sources[str(path)] = Source(path, pmids, synthetic=True)
            start += len(chunk)
        self.fresh = [s for s in self.sources.values() if s.synthetic]
        self.rng.shuffle(self.fresh)

    # --- running ------------------------------------------------------------------------------

    def run(self, seconds: float) -> None:
        """The window, then for ``seconds`` the lanes, hand-offs and kills; then all stop."""
        self.start_window()
        if not self._wait(lambda: self.window.said("ready"), WINDOW_READY_TIMEOUT_S):
            self.problem(f"window 1 did not start: {self._window_output()}")
            self.window.process.kill()
            return
        self.window.ready = True
        if not self._wait(lambda: any(self.folder.glob("backups/*.sqlite")), BACKUP_TIMEOUT_S):
            self.problem("the window made no daily backup")
        self.log("the lanes start")
        try:
            self._loop(time.time() + seconds)
        except _Abort as abort:
            self.problem(str(abort))
        except BaseException:  # a bug here: leave no process behind
            self._kill_all()
            raise
        self._stop()
        self._read_window_ledgers()

    def _kill_all(self) -> None:
        for command in [self.hand_off, *(lane.command for lane in self.lanes)]:
            if command is not None:
                self._kill(command)
        self.window.process.kill()

    def _loop(self, end: float) -> None:
        next_kill = time.time() + self.rng.uniform(*KILL_EVERY_S) if self.kills else float("inf")
        next_hand_off = time.time() + self.rng.uniform(*HAND_OFF_EVERY_S)
        while time.time() < end:
            self._watch_window()
            for lane in self.lanes:
                self._tend(lane)
            next_hand_off = self._tend_hand_off(next_hand_off)
            if time.time() >= next_kill:
                self._choose_kill()
                next_kill = time.time() + self.rng.uniform(*KILL_EVERY_S)
            if self.window_kill_due and self.window.ready and self.hand_off is None:
                self._kill_window()
            time.sleep(LOOP_PAUSE_S)

    def _stop(self) -> None:
        """Let the running commands end, then quit the window as a user does (SIGTERM)."""
        deadline = time.time() + COMMAND_TIMEOUT_S
        while self.hand_off or any(lane.command for lane in self.lanes):
            if time.time() > deadline:
                self.problem("commands still ran a minute after the end of the run")
                break
            for lane in self.lanes:
                self._tend(lane, start_next=False)
            self._tend_hand_off(float("inf"))
            time.sleep(LOOP_PAUSE_S)
        window = self.window
        (window.ledger.parent / (window.ledger.name + ".stop")).touch()
        if window.process.alive() and self._wait(lambda: window.said("idle"), COMMAND_TIMEOUT_S):
            try:
                status = window.process.terminate(WINDOW_QUIT_TIMEOUT_S)
            except pytest.fail.Exception as did_not_quit:
                self.problem(str(did_not_quit))
                status = None
            self.log(f"window {window.number} quit with status {status}")
            if status not in (0, None):
                self.problem(f"the window quit with status {status}: {self._window_output()}")
        else:
            self.problem(f"the window did not finish its work: {self._window_output()}")
            window.process.kill()
        for each in self.windows:
            written = each.process.unexpected_output()
            if written:
                self.problem(f"window {each.number} wrote:\n" + "\n".join(written[-30:]))

    def _wait(self, ready: Callable[[], object], timeout: float) -> bool:
        deadline = time.time() + timeout
        while not ready():
            if time.time() > deadline:
                return False
            time.sleep(0.05)
        return True

    # --- the window ---------------------------------------------------------------------------

    def start_window(self) -> Window:
        number = len(self.windows) + 1
        ledger = self.folder / f"window-{number}.jsonl"
        driver = [sys.executable, "-m", "tests.system.window_driver"]
        argv = [*driver, str(ledger), str(self.seed + number), json.dumps(self.anchors)]
        argv += ["--", "--library", str(self.library)]
        process = WindowProcess(argv, self.env, self.folder / f"window-{number}", cwd=REPO)
        self.windows.append(Window(number, ledger, process))
        self.log(f"window {number} starts (pid {process.pid})")
        return self.windows[-1]

    @property
    def window(self) -> Window:
        return self.windows[-1]

    def _window_output(self) -> str:
        return "; ".join(self.window.process.unexpected_output()[-8:]) or "(no output)"

    def _watch_window(self) -> None:
        window = self.window
        if not window.process.alive():
            raise _Abort(f"window {window.number} ended by itself: {self._window_output()}")
        if not window.ready:
            window.ready = window.said("ready")
            if not window.ready and time.time() - window.started > WINDOW_READY_TIMEOUT_S:
                raise _Abort(f"window {window.number} did not start: {self._window_output()}")

    def _read_window_ledgers(self) -> None:
        """The window's changes join the others'; whatever it told the user must be 'busy'."""
        for window in self.windows:
            ledger = window_attempts(window)
            self.attempts += ledger.attempts
            self.events += [(t - self.t0, text) for t, text in ledger.events]
            for when, text in ledger.messages:
                self.log(f"{window.name} was told: {text}", when)
                if BUSY not in text:
                    self.problem(f"{window.name} was told: {text}")
            for attempt in ledger.attempts:
                self.log(
                    f"{window.name} begins {attempt.kind} {_short(attempt.what)}", attempt.began
                )
                if attempt.outcome == "open":
                    attempt.outcome = "unknown"
                    if not window.killed:
                        self.problem(f"{window.name} never ended its {attempt.kind} {attempt.what}")
            for attempt, entry in ledger.results:
                self._window_result(window, attempt, entry)

    def _window_result(self, window: Window, attempt, entry: dict) -> None:
        said = [*entry.get("messages", []), *entry.get("problems", [])]
        self.log(f"{window.name} {attempt.kind} {attempt.outcome} {said}", attempt.ended)
        if attempt.outcome == "failed":
            if said and all(BUSY in text for text in said):
                self.busy_count += 1
            else:
                self.problem(f"{window.name}: {attempt.kind} {_short(attempt.what)} failed: {said}")
            return
        if attempt.kind != "import":
            return
        source = self.sources[attempt.what["source"]]
        if said or (source.synthetic and entry["added"] != len(source.pmids)):
            added = entry["added"]
            self.problem(f"{window.name}: import of {source.path.name} added {added}, said {said}")

    # --- hand-offs to the window --------------------------------------------------------------

    def _tend_hand_off(self, next_at: float) -> float:
        """One ``refman --library L FILE`` at a time, while the window is up."""
        command = self.hand_off
        if command is not None:
            if command.process.poll() is None:
                if time.time() - command.began > HAND_OFF_TIMEOUT_S:
                    self._kill(command)
                    self.problem(f"`{command.describe()}` did not return: no window took the file")
                    self.hand_off = None
                return next_at
            _out, err = command.output()
            rc = command.process.returncode
            self.log(f"hand-off `{command.describe()}` -> rc {rc}")
            if rc != 0 or "Traceback" in err:
                self.problem(f"`{command.describe()}` exited {rc}: {err.strip()}")
            self.hand_off = None
        if time.time() < next_at or not self.window.ready or self.window_kill_due:
            return next_at
        source = self.fresh.pop() if self.fresh and self.rng.random() < 0.8 else self.sample()
        self.hand_off = self._spawn("hand-off", "hand-off", [str(source.path)])
        return time.time() + self.rng.uniform(*HAND_OFF_EVERY_S)

    # --- the lanes ----------------------------------------------------------------------------

    def _tend(self, lane: Lane, start_next: bool = True) -> None:
        command = lane.command
        if command is not None:
            if command.kill_at is not None and time.time() >= command.kill_at:
                self._kill(command)
            if command.process.poll() is None:
                if time.time() - command.began > COMMAND_TIMEOUT_S:
                    self._kill(command)
                    self.problem(f"{lane.name}: `{command.describe()}` hung")
                return
            self._finish(command)
            lane.command = None
        if start_next:
            lane.command = self._start(lane)

    def _start(self, lane: Lane) -> Command:
        kinds = list(commands.KINDS)
        kind = self.rng.choices(kinds, weights=[commands.KINDS[k][0] for k in kinds])[0]
        lane.count += 1
        plan = commands.KINDS[kind][1](self, lane)
        command = self._spawn(lane.name, kind, plan.args)
        command.judge = plan.judge
        if plan.attempt is not None:
            plan.attempt.began = command.began
            command.attempt = plan.attempt
            self.attempts.append(plan.attempt)
        if lane.kill_armed:  # at a random moment of the time such a command takes
            lane.kill_armed = False
            typical = statistics.median(self.durations[kind] or [TYPICAL_COMMAND_S])
            command.kill_at = command.began + self.rng.uniform(0, 1.2 * typical)
        return command

    def _spawn(self, who: str, kind: str, args: list[str]) -> Command:
        argv = [str(REFMAN), "--library", str(self.library), *args]
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 (_finish)
        began = time.time()
        process = subprocess.Popen(argv, env=self.env, stdout=out, stderr=err, cwd=self.folder)
        return Command(who, kind, argv, began, process, out, err)

    def _finish(self, command: Command) -> None:
        """Judge a command that ended: its change is done, failed or unknown; or a problem."""
        ended, rc = time.time(), command.process.returncode
        out, err = command.output()
        first = (out.strip().splitlines() or err.strip().splitlines() or [""])[0][:100]
        took = ended - command.began
        self.log(f"{command.lane} `{command.describe()}` -> rc {rc} ({took:.2f} s) {first}", ended)
        attempt = command.attempt
        if attempt is not None:
            attempt.ended = ended
        if command.killed:
            if attempt is not None:
                attempt.outcome = "unknown"
            return
        self.durations[command.kind].append(took)
        if rc == 1 and BUSY in err and "Traceback" not in err:
            self.busy_count += 1
            if attempt is not None:
                attempt.outcome = "failed"
            return
        if rc != 0 or "Traceback" in err:
            said = err.strip() + self._bug_report(rc)
            self.problem(f"{command.lane}: `{command.describe()}` exited {rc}: {said}")
            if attempt is not None:
                attempt.outcome = "failed" if rc == 1 else "unknown"
            return
        unexpected = [line for line in err.splitlines() if not line.startswith("Exported ")]
        if unexpected:
            self.problem(f"{command.lane}: `{command.describe()}` said: {' | '.join(unexpected)}")
        if attempt is not None:
            attempt.outcome = "done"
        command.judge(self, command, out)

    def _bug_report(self, rc: int) -> str:
        """After rc 70 (a bug), the traceback refman wrote to its log file."""
        log = self.folder / "xdg_state_home" / "refman" / "log" / "refman.log"
        if rc != 70 or not log.exists():
            return ""
        return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-25:])

    # --- kills --------------------------------------------------------------------------------

    def _choose_kill(self) -> None:
        """Arm the window or a lane: the window dies as soon as no file is being handed to it
        (the hand-off would open a window of its own), a lane's next command at a random
        moment of its life."""
        if self.rng.random() < WINDOW_KILLS:
            self.window_kill_due = True
        else:
            self.rng.choice(self.lanes).kill_armed = True

    def _kill_window(self) -> None:
        window = self.window
        window.killed = True
        window.process.kill()
        self.window_kill_due = False
        self.kill_count += 1
        self.log(f"KILL window {window.number}")
        self.start_window()

    def _kill(self, command: Command) -> None:
        if command.process.poll() is None:
            command.process.send_signal(signal.SIGKILL)
            command.process.wait(10)
            command.killed = True
            self.kill_count += 1
            self.log(f"KILL {command.lane} `{command.describe()}`")

    # --- the report ---------------------------------------------------------------------------

    def report(self, last: int = 70) -> str:
        """The seed, the counts, and on failure the problems and the last events."""
        events = sorted(self.events)
        log = self.folder / "torture.log"
        log.write_text("".join(f"[{t:7.2f}] {text}\n" for t, text in events), encoding="utf-8")
        lines = [
            f"Torture run with seed {self.seed} ({'with' if self.kills else 'without'} kills);"
            f" replay with {SEED_VARIABLE}={self.seed}.",
            f"{len(self.attempts)} changes tried, {len(self.reads)} reads checked,"
            f" {self.kill_count} kills, {self.busy_count} 'busy' answers.",
        ]
        if self.problems:
            lines.append(f"{len(self.problems)} problems:")
            lines += [f"  - {p}" for p in self.problems[:40]]
            lines.append(f"The last {last} events (all of them in {log}):")
            lines += [f"  [{t:7.2f}] {text}" for t, text in events[-last:]]
        return "\n".join(lines)


class _Abort(Exception):
    """The run cannot go on (the window is gone); what was done so far is still verified."""


def _anchored(record: str, word: str) -> str:
    """The record with ``word`` first in its title."""
    return re.sub(r"^TI  - ", f"TI  - {word} ", record, count=1, flags=re.M)


def _short(what: dict) -> str:
    shown = {k: (Path(v).name if k == "source" else v) for k, v in what.items()}
    return json.dumps(shown)[:120]


def seed_for_run() -> int:
    """The seed from the environment (to replay a run), else a new one."""
    return int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(10**6))

"""The window's one way to run work off the GUI thread: imports, exports, the safety checks and
backups, the citation style's warm-up.

``TaskRunner.run(job, ...)`` starts a ``Task``: a thread of its own that opens its own
``Library`` when the job needs one (an SQLite connection belongs to the thread that opened
it), runs ``job(library, progress, cancelled)``, and reports back through queued signals,
so the slots run in the window's thread:

- ``progressed(done, total)``, throttled: a signal per block read would flood the queue;
- ``succeeded(result)``, or ``failed(message)``: a RefmanError's message as it is, anything
  else logged with its traceback and told in plain words. One error path for every task.
  Both are emitted in the window's thread once the task's thread has finished, so that a job
  quicker than the caller's ``connect`` cannot lose its result.

``task.cancel()`` sets the flag the job polls through ``cancelled()``. Jobs that write to the
library run one at a time, as Anki's do: a writing task started while another runs waits for
it. The application owns the threads, not the window, and waits for them when it quits:
closing the window cancels, but a thread must outlive it until the library has rolled the
current file back.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, SignalInstance, Slot

from refman.library import Library
from refman.model import RefmanError

log = logging.getLogger(__name__)

# Every task started and not yet ended, whatever runner started it: at exit the interpreter
# waits for them (cancelled), as it would for a plain thread, instead of destroying a running
# thread with the application (which aborts the process).
_LIVE: set[Task] = set()

PROGRESS_INTERVAL_S = 0.1
# How a task's thread opens the library: for writing, for reading, or not at all.
WRITE, READ, NO_LIBRARY = "write", "read", "none"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
# job(library, progress, cancelled): the library is a Library opened for the task (mode READ or
# WRITE) or None (NO_LIBRARY); Any, so that a job of either kind says which it takes.
Job = Callable[[Any, Progress, Cancelled], object]


class Task(QThread):
    """One job in a thread of its own; see the module's docstring for its signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)  # a message for the user, in plain words
    ended = Signal(object)  # the task itself, after succeeded or failed: for the runner

    def __init__(self, name: str, job: Job, library_path: Path | None, mode: str):
        super().__init__(QCoreApplication.instance())
        self.name = name
        self.mode = mode
        self._job = job
        self._library_path = library_path
        self._cancel = threading.Event()
        self._last_emit = 0.0
        self._outcome: tuple[SignalInstance, object] | None = None
        # The outcome is told from this object's own (the window's) thread once the thread has
        # finished, never from the thread itself: a signal emitted there before the caller of
        # TaskRunner.run has connected to it (a quick job) would be lost for good.
        self.finished.connect(self._tell_outcome)
        self.finished.connect(self.deleteLater)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            if self.mode == NO_LIBRARY or self._library_path is None:
                result = self._job(None, self._progress, self._cancel.is_set)
            else:
                with Library(self._library_path, read_only=self.mode == READ) as library:
                    result = self._job(library, self._progress, self._cancel.is_set)
        except RefmanError as exc:
            self._outcome = (self.failed, str(exc))
        except Exception as exc:  # a bug: the traceback for the developer, plain words for all
            log.exception("%s failed", self.name)
            self._outcome = (self.failed, f"{self.name} failed: {exc}")
        else:
            self._outcome = (self.succeeded, result)
        finally:
            _LIVE.discard(self)  # set operations hold the GIL: safe from this thread

    @Slot()
    def _tell_outcome(self) -> None:
        """succeeded or failed, then ended: in the window's thread, after the thread ended."""
        if self._outcome is not None:
            signal, value = self._outcome
            signal.emit(value)
        self.ended.emit(self)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            self.progressed.emit(done, total)


def wait_for_running_tasks(*, cancel: bool = False) -> None:
    """Wait until every task started in this process has ended (cancelled first if asked)."""
    for task in list(_LIVE):
        if cancel:
            task.cancel()
        task.wait()


atexit.register(wait_for_running_tasks, cancel=True)


class TaskRunner(QObject):
    """Starts the window's background tasks; writers one at a time."""

    def __init__(self, library_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.library_path = Path(library_path)
        self._running: set[Task] = set()
        self._waiting_writers: deque[Task] = deque()
        app = QCoreApplication.instance()
        assert app is not None  # the window's application
        app.aboutToQuit.connect(self.cancel_all_and_wait)

    def run(self, name: str, job: Job, *, mode: str = NO_LIBRARY) -> Task:
        """Start ``job`` (a writer waits for the writer before it); the task, whose signals
        the caller connects before control returns to the event loop."""
        task = Task(name, job, self.library_path, mode)
        # A slot of this object, which lives in the window's thread: the signal is queued,
        # so the bookkeeping below never runs in the task's own thread.
        task.ended.connect(self._on_ended)
        if mode == WRITE and self.writing():
            self._waiting_writers.append(task)
        else:
            self._start(task)
        return task

    def writing(self) -> bool:
        """True while a task that writes to the library runs or waits."""
        return bool(self._waiting_writers) or any(t.mode == WRITE for t in self._running)

    def busy(self) -> bool:
        """True while any task runs or waits (scripts/tour.py waits for it to end)."""
        return bool(self._running or self._waiting_writers)

    def cancel_all_and_wait(self) -> None:
        """Cancel every task and wait for their threads (the application is quitting)."""
        for task in self._waiting_writers:
            task.cancel()
        self._waiting_writers.clear()
        for task in list(self._running):
            task.cancel()
            task.wait()

    def _start(self, task: Task) -> None:
        self._running.add(task)
        _LIVE.add(task)
        task.start()

    @Slot(object)
    def _on_ended(self, task: Task) -> None:
        self._running.discard(task)
        if task.mode == WRITE and self._waiting_writers:
            self._start(self._waiting_writers.popleft())

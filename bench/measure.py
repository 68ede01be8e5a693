"""The benchmark's measurements, each in a child process of its own.

A child starts as ``python -m bench.measure TASK ARGS_JSON`` and prints one JSON object
on its last line of output. A process per measurement keeps each peak memory its own (the
import's peak RSS is not the generator's or Qt's), starts every measurement from a cold
interpreter as a user would, and lets the parent run without Qt.

Tasks: ``import`` (library.importing.files), ``biopython`` (Bio.Medline parse only, for scale),
``floor`` (bench.floor's minimal import: the least an import can cost, for scale),
``reader`` (refman's MEDLINE reader alone, to tell its share of the import from the rest),
``format-reader`` (any format's reader alone, for the readers' table of ``bench.readers``),
``library`` (search, sort, tag counts and export through the Library API), ``window`` (the
main window offscreen: first rows shown, tag selector, scrolling) and ``review`` (an import's
review read through the library, then its dialog shown offscreen). The start of the real
program, ``python -m refman``, is timed by its own hook (``measure_startup``).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from refman.model import RefmanError, ViewQuery

# The item table's columns, which are also the sort keys (refman.gui.item_table.COLUMN_KEYS;
# named here so that the library measurements need no Qt).
SORT_KEYS = (
    "title",
    "creators",
    "year",
    "journal",
    "date_added",
    "item_type",
    "doi",
    "pmid",
    "volume",
    "pages",
    "date_modified",
    "citation_key",
)
EXPORT_COUNT = 10_000
BIBLIOGRAPHY_COUNT = 1_000  # items formatted in the default style (AMA)
REPEATS = 3  # runs of each sort and of the tag counts; the median is reported
ONCE_IS_ENOUGH_S = 1.0  # a step slower than this is not repeated: the run stays short
STARTS = 3  # window starts timed after one to warm up (one only when a start is slow)
# refman.gui.first_paint.ENV: the window prints its first paint as JSON and quits.
QUIT_AFTER_SHOWN = "REFMAN_QUIT_AFTER_SHOWN"
# The repository's root: the folder that holds this package (bench/) and refman/.
CHECKOUT = Path(__file__).resolve().parent.parent


class BenchError(RefmanError):
    """A measurement's child process failed; the message holds the end of its stderr."""


# --- the parent's side ------------------------------------------------------------------------


def child_env(workdir: Path) -> dict[str, str]:
    """Qt offscreen, and QSettings kept inside the work folder, away from the user's own."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(workdir / "config")
    return env


def _last_json(done: subprocess.CompletedProcess, what: str) -> dict:
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise BenchError(f"the {what} measurement failed (exit {done.returncode}):\n{tail}")
    return json.loads(lines[-1])


def run_child(task: str, args: dict, workdir: Path, timeout: float = 3600) -> dict:
    """Run one measurement in a fresh interpreter and return what it reports."""
    command = [sys.executable, "-m", "bench.measure", task, json.dumps(args)]
    env = child_env(workdir)
    # ``bench`` is not installed with refman: the child finds it in the checkout, whatever the
    # working folder, and then imports the refman beside it, as this process does.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(CHECKOUT), env.get("PYTHONPATH"))))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    return _last_json(done, task)


def _start_window(library: Path, workdir: Path) -> dict:
    """One start of ``python -m refman`` up to its first paint, by the program's own hook."""
    env = child_env(workdir) | {QUIT_AFTER_SHOWN: "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed refman has its modules compiled
    command = [sys.executable, "-m", "refman", "--library", str(library)]
    launched = time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    report = _last_json(done, "window start")
    since_launch = report.get("shown_after_launch_s")  # from the kernel's process start
    if since_launch is None:
        since_launch = report["painted_epoch"] - launched
    return {"seconds": since_launch, "rows": report["rows"]}


def measure_startup(library: Path, workdir: Path) -> dict:
    """Seconds from launching the program to its window's first paint (median of starts)."""
    _start_window(library, workdir)  # compiles modules and fills the file cache, as in use
    starts = [_start_window(library, workdir)]
    if starts[0]["seconds"] < ONCE_IS_ENOUGH_S * 5:
        starts += [_start_window(library, workdir) for _ in range(STARTS - 1)]
    return {
        "launch_to_paint_s": statistics.median(s["seconds"] for s in starts),
        "rows": starts[0]["rows"],
        "starts": len(starts),
    }


# --- helpers for the children -----------------------------------------------------------------


def peak_rss_mib() -> float | None:
    """This process's peak resident memory so far, in MiB (None where it cannot be read).

    Linux: VmHWM of /proc/self/status, the high-water mark of this program's own memory.
    ``ru_maxrss`` is no good in a child: it keeps the peak of the parent's memory image that
    the child ran in between fork and exec, so every child would seem as big as its parent.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def timed_cpu(action: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds: on a busy machine the second shows what the code costs."""
    cpu = time.process_time()
    seconds, result = timed(action)
    return seconds, time.process_time() - cpu, result


def median_time(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median seconds of ``repeats`` runs; a run slower than ONCE_IS_ENOUGH_S is not repeated."""
    first, _ = timed(action)
    if first > ONCE_IS_ENOUGH_S:
        return first
    return statistics.median([first] + [timed(action)[0] for _ in range(repeats - 1)])


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the values lie (nearest rank)."""
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered) - 1e-9)  # 1-based; the epsilon absorbs 0.95 * 100
    return ordered[max(0, min(len(ordered), rank) - 1)]


# --- tasks ------------------------------------------------------------------------------------


class _SqliteClock:
    """The time spent inside SQLite calls: statements (with their row binding), fetches and
    commits, summed over every connection opened after ``install``. It stays installed for
    the rest of the process, which is a measurement's own child process.

    It swaps ``sqlite3.connect`` for one that makes connections and cursors of subclasses
    timing those calls. The store batches its writes (one ``executemany`` per table and
    batch), so the few thousand timed calls of an import add microseconds, not seconds. What
    it measures is the floor of the import: the time SQLite needs for the rows, however fast
    the Python that builds them.
    """

    def __init__(self) -> None:
        self.seconds = 0.0

    def timed(self, call):
        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed_call

    def install(self) -> None:
        import sqlite3

        clock, connect = self, sqlite3.connect

        class Cursor(sqlite3.Cursor):
            execute = clock.timed(sqlite3.Cursor.execute)
            executemany = clock.timed(sqlite3.Cursor.executemany)
            fetchall = clock.timed(sqlite3.Cursor.fetchall)
            fetchone = clock.timed(sqlite3.Cursor.fetchone)

        class Connection(sqlite3.Connection):
            commit = clock.timed(sqlite3.Connection.commit)

            def cursor(self, factory=Cursor):
                return super().cursor(factory)

            def execute(self, *args):
                return self.cursor().execute(*args)

        sqlite3.connect = lambda *args, **kwargs: connect(*args, factory=Connection, **kwargs)


def task_import(args: dict) -> dict:
    """Import one MEDLINE file into a new library, as ``refman import`` does; with the part of
    its time spent inside SQLite."""
    from refman.library import Library

    baseline = peak_rss_mib()
    sqlite_clock = _SqliteClock()
    sqlite_clock.install()
    with Library(args["library"]) as library:
        sqlite_clock.seconds = 0.0  # opening and migrating the new file is not the import
        seconds, cpu, report = timed_cpu(lambda: library.importing.files([args["file"]]))
        sqlite_seconds = sqlite_clock.seconds
        count = library.items.count()
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "sqlite_s": sqlite_seconds,
        "added": len(report.added),
        "items": count,
        "problems": len(report.problems),
        "baseline_rss_mib": baseline,
        "peak_rss_mib": peak_rss_mib(),
    }


def task_reader(args: dict) -> dict:
    """refman's MEDLINE reader alone: the file to References, nothing stored; with the cyclic
    collector paused, as the import reads (refman.collector)."""
    from refman import collector
    from refman.formats import medline

    with collector.paused():
        seconds, cpu, count = timed_cpu(lambda: sum(1 for _ in medline.read(args["file"])))
    return {"seconds": seconds, "cpu_s": cpu, "records": count}


def task_format_reader(args: dict) -> dict:
    """The registry's reader of one format alone: the file to References, nothing stored; with
    the cyclic collector paused, as the import reads."""
    from refman import collector
    from refman.formats.registry import find_reader

    reader = find_reader(args["format"]).reader
    assert reader is not None  # find_reader finds formats with a reader only
    problems: list = []

    def read() -> int:
        with open(args["file"], "rb") as stream:
            return sum(1 for _ in reader(stream, name=args["file"], on_problem=problems.append))

    with collector.paused():
        seconds, cpu, count = timed_cpu(read)
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "records": count,
        "problems": len(problems),
        "peak_rss_mib": peak_rss_mib(),
    }


def task_biopython(args: dict) -> dict:
    """Bio.Medline's parse of the same file, records only, nothing stored."""
    try:
        from Bio import Medline
    except ImportError:
        return {"available": False}
    with open(args["file"], encoding="utf-8") as handle:
        seconds, cpu, records = timed_cpu(lambda: sum(1 for _ in Medline.parse(handle)))
    return {"available": True, "seconds": seconds, "cpu_s": cpu, "records": records}


def task_floor(args: dict) -> dict:
    """bench.floor's minimal import of the same file (Bio.Medline's parse, one tuple per table,
    zlib, FTS5): the least an import can cost, for scale. Its database is removed after."""
    try:
        from bench import floor
    except ImportError:  # Biopython, which the floor reads with, is a test extra
        return {"available": False}
    db = Path(args["db"])
    try:
        seconds, cpu, records = timed_cpu(lambda: floor.FloorImport(db).run(Path(args["file"])))
        size = floor.file_bytes(db)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    return {
        "available": True,
        "seconds": seconds,
        "cpu_s": cpu,
        "records": records,
        "db_bytes": size,
    }


def _search_latencies(library, queries: Sequence[str]) -> list[dict]:
    library.items.search(
        ViewQuery(text=queries[0])
    )  # the first query pays for loading the index pages
    found = []
    for query in queries:
        seconds, ids = timed(lambda q=query: library.items.search(ViewQuery(text=q)))
        found.append({"query": query, "seconds": seconds, "matches": len(ids)})
    return found


def _sort_times(library) -> dict[str, list[float]]:
    """{sort key: [ascending, descending] median seconds} over the whole library."""
    return {
        key: [
            median_time(lambda k=key, d=d: library.items.search(sort=k, descending=d))
            for d in (0, 1)
        ]
        for key in SORT_KEYS
    }


def task_library(args: dict) -> dict:
    """Search, sort, tag counts and export through the Library API (no window)."""
    from refman.library import Library

    with Library(args["library"]) as library:
        open_done = time.perf_counter()
        seconds, ids = timed(library.items.search)
        searches = _search_latencies(library, args["queries"])
        sorts = _sort_times(library)
        # The first call reads the listing the library file keeps (a new process's first tag
        # list); the next ones reuse what this process keeps.
        tag_first_seconds, _ = timed(library.tags.counts)
        tag_seconds = median_time(library.tags.counts)
        tags = len(library.tags.counts())
        chosen = ids[:EXPORT_COUNT]
        export_seconds, text = timed(lambda: library.exporting.export(chosen, "bibtex"))
        ris_seconds, _ = timed(lambda: library.exporting.export(chosen, "ris"))
        few = ids[:BIBLIOGRAPHY_COUNT]
        style = "american-medical-association"
        bibliography_seconds, _ = timed(lambda: library.exporting.export(few, "text", style=style))
        return {
            "items": len(ids),
            "all_ids_s": seconds,
            "searches": searches,
            "sorts": sorts,
            "tag_counts_s": tag_seconds,
            "tag_counts_first_s": tag_first_seconds,
            "tags": tags,
            "export_items": len(chosen),
            "export_s": export_seconds,
            "export_chars": len(text),
            "ris_s": ris_seconds,
            "bibliography_items": len(few),
            "bibliography_s": bibliography_seconds,
            "total_s": time.perf_counter() - open_done,
        }


class _RowsClock:
    """Wraps library.items.rows to note when the table first fetched the cells of visible rows."""

    def __init__(self, library):
        self.first_fetch: float | None = None
        self._rows = library.items.rows
        library.items.rows = self

    def __call__(self, ids, columns):
        found = self._rows(ids, columns)
        if self.first_fetch is None:
            self.first_fetch = time.perf_counter()
        return found


def _open_window(path: str) -> dict:
    """Open the library and the main window as the program does; time the steps up to the
    first rows drawn. (The program opens a large library without SQLite's quick check, which
    it runs in the background after the first paint: gui.app.open_library.)"""
    from refman.gui.app import application, open_library
    from refman.gui.main_window import MainWindow

    app = application()
    start = time.perf_counter()
    library = open_library(Path(path))
    assert library is not None  # the benchmark's own library, just made
    opened = time.perf_counter()
    clock = _RowsClock(library)
    window = MainWindow(library)
    built = time.perf_counter()
    window.show()
    app.processEvents()  # the first paint: the table asks for its visible rows here
    if clock.first_fetch is None:
        window.grab()  # a platform that did not paint yet: render the window now
    painted = time.perf_counter()
    return {
        "app": app,
        "window": window,
        "library": library,
        "open_s": opened - start,
        "window_s": built - opened,
        "first_rows_s": (clock.first_fetch or painted) - start,
        "painted_s": painted - start,
        "rows": window.table_model.rowCount(),
    }


def _tag_selector_times(window) -> dict:
    selector = window.sidebar.tags
    counts = window.library.tags.counts()
    fill = median_time(lambda: selector.model.set_tags(counts))
    return {"tag_fill_s": fill, "tag_refresh_s": median_time(selector.refresh)}


def _scroll_times(app, window) -> dict:
    """Sort the table by year, then fetch the last row, then scroll the view to the end."""
    from refman.gui.item_table import COLUMN_KEYS

    model = window.table_model
    sort_seconds, _ = timed(lambda: model.sort(COLUMN_KEYS.index("year")))
    last = model.rowCount() - 1
    fetch_seconds, _ = timed(lambda: model.data(model.index(last, 0)))
    model.sort(COLUMN_KEYS.index("title"))  # pages dropped again: the scroll fetches anew

    def scroll() -> None:
        window.table.scrollToBottom()
        app.processEvents()

    scroll_seconds, _ = timed(scroll)
    return {"table_sort_s": sort_seconds, "last_row_s": fetch_seconds, "scroll_s": scroll_seconds}


def task_window(args: dict) -> dict:
    """The main window offscreen over the library: first rows, tag selector, scrolling."""
    opened = _open_window(args["library"])
    window, app = opened.pop("window"), opened.pop("app")
    library = opened.pop("library")
    opened.update(_tag_selector_times(window))
    opened.update(_scroll_times(app, window))
    opened["peak_rss_mib"] = peak_rss_mib()
    library.close()  # the window stays open: closing it would save settings for the next child
    return opened


class _PaintWatch:
    """Notes whether a widget was painted: an event filter, which lets every event through."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint

        class Watch(QObject):
            painted = False

            def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
                if event.type() == paint:
                    self.painted = True
                return False

        self._watch = Watch()
        widget.installEventFilter(self._watch)

    @property
    def painted(self) -> bool:
        return self._watch.painted


def _show_review(review) -> dict:
    """The review dialog built and shown over ``review``, timed up to the end of the first
    paint of its table (the rows on screen fetched and drawn)."""
    from refman.gui.app import application
    from refman.gui.import_review import ImportReviewDialog

    app = application()
    start = time.perf_counter()
    dialog = ImportReviewDialog(review)
    built = time.perf_counter()
    watch = _PaintWatch(dialog.table.viewport())
    dialog.show()
    app.processEvents()  # the first paint: the table asks for the rows on screen here
    if not watch.painted:
        dialog.grab()  # a platform that did not paint yet: render the dialog now
    shown = time.perf_counter()
    table = dialog.table
    last = table.rowAt(table.viewport().height() - 1)  # -1: the rows end above the bottom
    last = last if last >= 0 else dialog.model.rowCount() - 1
    on_screen = last - max(table.rowAt(0), 0) + 1
    result = {
        "dialog_built_s": built - start,
        "dialog_shown_s": shown - start,
        "painted": watch.painted,
        "rows": dialog.model.rowCount(),
        "rows_on_screen": on_screen,
        "import_button": dialog.import_button.text(),
    }
    dialog.close()
    return result


def task_review(args: dict) -> dict:
    """Review one MEDLINE file for import over a library (reading and duplicate look-up, as
    ``library.importing.review`` does in the window's reading task), then show the review
    dialog offscreen over it, as the window does once the review is read."""
    from refman.library import ImportReview, Library

    baseline = peak_rss_mib()
    with Library(args["library"]) as library:
        items = library.items.count()
        seconds, cpu, review = timed_cpu(lambda: library.importing.review([args["file"]]))
    assert isinstance(review, ImportReview)  # for the type checker: timed_cpu gives an object
    shown = _show_review(review)
    return {
        "library_items": items,
        "review_s": seconds,
        "review_cpu_s": cpu,
        "records": review.record_count,
        "statuses": {s: review.count(s) for s in ("new", "duplicate", "repeat", "problem")},
        **shown,
        "baseline_rss_mib": baseline,
        "peak_rss_mib": peak_rss_mib(),
    }


TASKS: dict[str, Callable[[dict], dict]] = {
    "import": task_import,
    "biopython": task_biopython,
    "floor": task_floor,
    "reader": task_reader,
    "format-reader": task_format_reader,
    "library": task_library,
    "window": task_window,
    "review": task_review,
}


def main(argv: Sequence[str]) -> int:
    task, args = argv[0], json.loads(argv[1])
    print(json.dumps(TASKS[task](args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

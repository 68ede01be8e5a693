"""``python -m bench``: how fast refman is on libraries of 10,000 and 100,000 items.

For each size it writes a synthetic MEDLINE file (``synthetic``), then measures in child
processes (``measure``): Bio.Medline's parse of the file for scale, the import, the Library
API (search, sort, tag counts, BibTeX export), the main window offscreen (first rows, tag
selector, scrolling) and ``python -m refman`` from launch to its first paint. Then every
import format's reader on a synthetic file of 10,000 records (``readers``), and the review of
an import of 10,000 records over the first size's library: reading it, then its dialog shown
(``measure``'s ``review``). It prints the
Markdown tables, ready for the README, with the machine and the date above them; progress goes
to stderr.

    python -m bench [--sizes 10000,100000] [--quick] [--workdir DIR] [--keep] [--seed N]
                    [--no-readers]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import measure, readers, synthetic
from refman import query

DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000,)
QUERY_COUNT = 50
FIELD_QUERY_COUNT = 30  # in PubMed's syntax (synthetic.Vocabulary.field_queries), after the 50
TARGET_SIZE = 100_000  # the size the targets are set for
GENERATOR_VERSION = 2  # in the synthetic file's name: a changed generator makes a new file


# --- the work folder --------------------------------------------------------------------------


class Workdir:
    """Where the files go: a new temporary folder, or one the user chose.

    Without ``keep`` the files the benchmark made are removed at the end (the whole folder
    when it was a temporary one). With ``keep`` a synthetic file already there is reused.
    """

    def __init__(self, chosen: str | None, keep: bool):
        self.keep = keep
        self.temporary = chosen is None
        self.path = Path(tempfile.mkdtemp(prefix="refman-bench-") if chosen is None else chosen)
        self.path.mkdir(parents=True, exist_ok=True)
        # The window's settings, and the backups refman keeps beside a library it opens.
        self._made: list[Path] = [self.path / "config", self.path / "backups"]

    def file(self, name: str) -> Path:
        path = self.path / name
        self._made += [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        return path

    def cleanup(self) -> None:
        if self.keep:
            return
        if self.temporary:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        for path in self._made:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


# --- one size ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def synthetic_file(size: int, seed: int, work: Workdir, vocab: synthetic.Vocabulary) -> Path:
    path = work.file(f"synthetic-{size}-seed{seed}-v{GENERATOR_VERSION}.nbib")
    if work.keep and path.exists():
        log(f"  reusing {path}")
        return path
    partial = work.file(path.name + ".partial")
    seconds, _ = measure.timed(lambda: synthetic.write_medline(partial, size, seed, vocab))
    partial.replace(path)  # a file under the final name is always complete
    log(f"  wrote {path.stat().st_size / 1e6:.0f} MB in {seconds:.1f} s")
    return path


def fresh_library(size: int, work: Workdir) -> Path:
    path = work.file(f"library-{size}.sqlite")
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return path


def bench_size(size: int, seed: int, work: Workdir, vocab, queries: Sequence[str]) -> dict:
    """Every measurement for one library size, as nested dicts of plain numbers."""
    log(f"[{size:,} items]")
    medline = synthetic_file(size, seed, work, vocab)
    library = fresh_library(size, work)
    result: dict = {"size": size, "file_bytes": medline.stat().st_size}
    steps: tuple[tuple[str, Callable[[], dict]], ...] = (
        ("biopython", lambda: measure.run_child("biopython", {"file": str(medline)}, work.path)),
        ("floor", lambda: measure.run_child("floor", _floor_args(medline, work), work.path)),
        ("reader", lambda: measure.run_child("reader", {"file": str(medline)}, work.path)),
        ("import", lambda: measure.run_child("import", _import_args(medline, library), work.path)),
        (
            "library",
            lambda: measure.run_child("library", _library_args(library, queries), work.path),
        ),
        ("window", lambda: measure.run_child("window", {"library": str(library)}, work.path)),
        ("startup", lambda: measure.measure_startup(library, work.path)),
    )
    for name, step in steps:
        try:
            seconds, result[name] = measure.timed(step)
        except (measure.BenchError, subprocess.TimeoutExpired) as exc:
            # The other measurements still run: a table with one cell "failed" beats none.
            result[name] = {"error": str(exc)}
            log(f"  {name} failed: {exc}")
            continue
        log(f"  {name}: {seconds:.1f} s")
    result["library_bytes"] = library.stat().st_size if library.exists() else 0
    return result


def _import_args(medline: Path, library: Path) -> dict:
    return {"file": str(medline), "library": str(library)}


def _floor_args(medline: Path, work: Workdir) -> dict:
    return {"file": str(medline), "db": str(work.file(f"floor-{medline.stem}.sqlite"))}


def _library_args(library: Path, queries: Sequence[str]) -> dict:
    return {"library": str(library), "queries": list(queries)}


# --- the table --------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:,.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def mib(value: float) -> str:
    return f"{value:,.0f} MB"


def import_rate(r: dict) -> float:
    return r["import"]["added"] / r["import"]["seconds"]


def bio_ratio(r: dict, clock: str = "seconds") -> float | None:
    bio = r["biopython"]
    return r["import"][clock] / bio[clock] if bio.get("available") else None


def floor_ratio(r: dict, clock: str = "seconds") -> float:
    """bench.floor's minimal import ÷ Bio.Medline's parse (KeyError without Biopython)."""
    return r["floor"][clock] / r["biopython"][clock]


def share_seconds(r: dict, part: str) -> float:
    """The import's time in one of its three parts: the reader's (measured alone), SQLite's
    (measured inside the import) and the rest (duplicate keys, rows, the Python between)."""
    reader, sqlite = r["reader"]["seconds"], r["import"]["sqlite_s"]
    rest = r["import"]["seconds"] - reader - sqlite
    return {"reader": reader, "sqlite": sqlite, "rest": rest}[part]


def share_ratio(r: dict, part: str) -> float:
    return share_seconds(r, part) / r["biopython"]["seconds"]


def share(r: dict, part: str) -> str:
    return f"{share_ratio(r, part):.1f}× ({secs(share_seconds(r, part))})"


def with_cpu(part: dict) -> str:
    return f"{secs(part['seconds'])} (CPU {secs(part['cpu_s'])})"


def search_percentile(r: dict, fraction: float, *, fields_only: bool = False) -> float:
    """A percentile of the search times: every query, or those in PubMed's syntax alone."""
    searches = r["library"]["searches"]
    if fields_only:
        searches = [s for s in searches if is_field_query(s["query"])]
    return measure.percentile([s["seconds"] for s in searches], fraction)


def is_field_query(text: str) -> bool:
    """A query in PubMed's syntax: field tags, operators or phrases (not plain words, nor a
    number such as a year, which is searched as a word and as a PMID)."""
    return not text.strip().isdigit() and query.plain_words(query.parse(text)) is None


@dataclass(frozen=True)
class Row:
    """A line of the table: which measurement it reads, how to show it and how to judge it."""

    label: str
    part: str  # a key of the size's result: "import", "library", "window", ...
    show: Callable[[dict], str]
    passes: Callable[[dict], bool] | None = None
    target: str = ""

    def cell(self, result: dict) -> str:
        part = result.get(self.part)
        if isinstance(part, dict) and "error" in part:
            return "failed"
        try:
            text = self.show(result)
            verdict = self.passes(result) if self.passes else None
        except (KeyError, TypeError):  # a measurement that cannot run here (no Biopython)
            return "n/a"
        return text if verdict is None else f"{text} {'✓' if verdict else '✗'}"


def _sort_row(key: str) -> Row:
    return Row(
        f"Sort by {key} ↑ / ↓",
        "library",
        lambda r: " / ".join(ms(s) for s in r["library"]["sorts"][key]),
        lambda r: max(r["library"]["sorts"][key]) < 0.2,
        "< 200 ms each",
    )


ROWS: tuple[Row, ...] = (
    Row("Synthetic MEDLINE file", "size", lambda r: mib(r["file_bytes"] / 2**20)),
    Row("Import: records per second", "import", lambda r: f"{import_rate(r):,.0f} /s"),
    Row("Import: time", "import", lambda r: with_cpu(r["import"])),
    Row("Bio.Medline parse only: time", "biopython", lambda r: with_cpu(r["biopython"])),
    Row(
        "Import ÷ Bio.Medline parse",
        "import",
        lambda r: f"{bio_ratio(r):.1f}× (CPU {bio_ratio(r, 'cpu_s'):.1f}×)",
        lambda r: bio_ratio(r) <= 3,
        "≤ 3×",
    ),
    Row(
        "↳ MEDLINE reader alone (file → references) ÷ Bio.Medline",
        "reader",
        lambda r: share(r, "reader"),
    ),
    Row(
        "↳ inside SQLite (statements, full-text index, commit) ÷ Bio.Medline",
        "import",
        lambda r: share(r, "sqlite"),
    ),
    Row(
        "↳ the rest: duplicate keys, rows (import − reader − SQLite) ÷ Bio.Medline",
        "reader",
        lambda r: share(r, "rest"),
    ),
    Row(
        "↳ the least an import can cost (python -m bench.floor) ÷ Bio.Medline",
        "floor",
        lambda r: f"{floor_ratio(r):.1f}× (CPU {floor_ratio(r, 'cpu_s'):.1f}×)",
    ),
    Row(
        "Import: peak memory (RSS)",
        "import",
        lambda r: mib(r["import"]["peak_rss_mib"]),
        lambda r: r["import"]["peak_rss_mib"] < 500,
        "< 500 MB",
    ),
    Row(
        "Open library → first rows shown",
        "window",
        lambda r: secs(r["window"]["first_rows_s"]),
        lambda r: r["window"]["first_rows_s"] < 1,
        "< 1 s",
    ),
    Row("↳ of which: building the main window", "window", lambda r: secs(r["window"]["window_s"])),
    Row(
        "Window start: launch → first paint",
        "startup",
        lambda r: f"{secs(r['startup']['launch_to_paint_s'])} (median of {r['startup']['starts']})",
    ),
    Row(
        f"Quick search p50 ({QUERY_COUNT} plain + {FIELD_QUERY_COUNT} field queries)",
        "library",
        lambda r: ms(search_percentile(r, 0.5)),
    ),
    Row(
        f"Quick search p95 ({QUERY_COUNT} plain + {FIELD_QUERY_COUNT} field queries)",
        "library",
        lambda r: ms(search_percentile(r, 0.95)),
        lambda r: search_percentile(r, 0.95) < 0.05,
        "< 50 ms",
    ),
    Row(
        f"↳ field queries alone ({FIELD_QUERY_COUNT}, PubMed's syntax): p50 / p95",
        "library",
        lambda r: (
            f"{ms(search_percentile(r, 0.5, fields_only=True))} / "
            f"{ms(search_percentile(r, 0.95, fields_only=True))}"
        ),
    ),
    *(_sort_row(key) for key in measure.SORT_KEYS),
    Row("Table sorted by year (model.sort)", "window", lambda r: ms(r["window"]["table_sort_s"])),
    Row("Scroll: fetch the last row after sort", "window", lambda r: ms(r["window"]["last_row_s"])),
    Row("Scroll: view to the end, painted", "window", lambda r: ms(r["window"]["scroll_s"])),
    Row(
        "Tag counts: library.tags.counts()",
        "library",
        lambda r: f"{ms(r['library']['tag_counts_s'])} ({r['library']['tags']:,} tags)",
        lambda r: r["library"]["tag_counts_s"] < 0.2,
        "< 200 ms",
    ),
    Row(
        "↳ first call of a process (the listing the file keeps)",
        "library",
        lambda r: ms(r["library"]["tag_counts_first_s"]),
        lambda r: r["library"]["tag_counts_first_s"] < 0.2,
        "< 200 ms",
    ),
    Row("Tag selector: model fill", "window", lambda r: ms(r["window"]["tag_fill_s"])),
    Row(
        "Tag selector: refresh (counts + fill)",
        "window",
        lambda r: ms(r["window"]["tag_refresh_s"]),
        lambda r: r["window"]["tag_refresh_s"] < 0.2,
        "< 200 ms",
    ),
    Row(
        f"Export {measure.EXPORT_COUNT:,} items to BibTeX",
        "library",
        lambda r: f"{secs(r['library']['export_s'])} ({r['library']['export_items']:,} items)",
        lambda r: r["library"]["export_s"] < 2,
        "< 2 s",
    ),
    Row(
        f"Export {measure.EXPORT_COUNT:,} items to RIS",
        "library",
        lambda r: secs(r["library"]["ris_s"]),
        lambda r: r["library"]["ris_s"] < 2,
        "< 2 s",
    ),
    Row(
        f"Bibliography of {measure.BIBLIOGRAPHY_COUNT:,} items, AMA text",
        "library",
        lambda r: secs(r["library"]["bibliography_s"]),
        lambda r: r["library"]["bibliography_s"] < 5,
        "< 5 s",
    ),
    Row("Library file", "import", lambda r: mib(r["library_bytes"] / 2**20)),
)


def review_rows(count: int) -> tuple[Row, ...]:
    """The review's lines: the result they read is {"review": the review task's numbers}."""
    what = f"Review of a {count:,}-record file"
    return (
        Row(f"{what}: reading for the review", "review", lambda r: with_review_cpu(r["review"])),
        Row(
            f"{what}: dialog shown",
            "review",
            lambda r: secs(review_of(r, "shown")),
            lambda r: review_of(r, "shown") < 1,
            "< 1 s",
        ),
        Row("↳ of which: building the dialog", "review", lambda r: ms(review_of(r, "built"))),
        Row(f"{what}: peak memory (RSS)", "review", lambda r: mib(r["review"]["peak_rss_mib"])),
    )


def review_of(r: dict, step: str) -> float:
    return float(r["review"][f"dialog_{step}_s"])


def with_review_cpu(review: dict) -> str:
    return f"{secs(review['review_s'])} (CPU {secs(review['review_cpu_s'])})"


def review_table(review: dict, count: int) -> str:
    """The review's Markdown table (``review``: the review task's numbers, or its error)."""
    lines = [f"| Measurement | {count:,} records | Target |", "|---|---|---|"]
    for row in review_rows(count):
        lines.append(f"| {row.label} | {row.cell({'review': review})} | {row.target} |")
    return "\n".join(lines)


def review_note(review: dict) -> str:
    """What was reviewed against what, in words."""
    if "error" in review:
        return "The review measurement failed: " + review["error"].strip().splitlines()[-1]
    statuses = ", ".join(
        f"{n:,} {status}{'s' * (status != 'new' and n != 1)}"
        for status, n in review["statuses"].items()
        if n
    )
    return (
        f"Review: {review['records']:,} records against a library of "
        f"{review['library_items']:,} items ({statuses}); {review['rows']:,} rows in the "
        f"dialog, {review['rows_on_screen']} of them on screen at its first paint."
    )


def table(results: Sequence[dict]) -> str:
    head = ["Measurement", *(f"{r['size']:,} items" for r in results), "Target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in ROWS:
        cells = [row.label, *(row.cell(r) for r in results)]
        lines.append("| " + " | ".join([*cells, row.target]) + " |")
    return "\n".join(lines)


# --- the machine ------------------------------------------------------------------------------


def _proc_value(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return ""


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    memory = _proc_value("/proc/meminfo", "MemTotal")  # "24683912 kB"
    ram = f"{int(memory.split()[0]) / 2**20:.1f} GB" if memory else "unknown"
    cpu = _proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown"
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM: {ram}; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PySide6 {_version('PySide6-Essentials')}, peewee {_version('peewee')}, "
        f"Biopython {_version('biopython')}",
    ]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def notes(results: Sequence[dict], seed: int, loads: Sequence[str]) -> list[str]:
    lines = [
        f"Targets are for {TARGET_SIZE:,} items; ✓ and ✗ compare every column with them.",
        f"Synthetic data: seed {seed}. Load average (1/5/15 min) at start {loads[0]}, "
        f"at end {loads[1]}.",
    ]
    for r in results:
        lines += [
            f"{r['size']:,} items: the {name} measurement failed: "
            + part["error"].strip().splitlines()[-1]
            for name, part in r.items()
            if isinstance(part, dict) and "error" in part
        ]
        if "error" in r["library"] or "error" in r["import"]:
            continue
        slowest = sorted(r["library"]["searches"], key=lambda s: -s["seconds"])[:3]
        described = ", ".join(
            f"“{s['query']}” {ms(s['seconds'])} ({s['matches']:,})" for s in slowest
        )
        median = statistics.median(s["matches"] for s in r["library"]["searches"])
        lines.append(
            f"{r['size']:,} items: slowest searches {described}; median matches {median:,.0f}. "
            f"Import problems reported: {r['import']['problems']}."
        )
    return lines


def report(
    results: Sequence[dict], seed: int, loads: Sequence[str], reading: dict | None = None
) -> str:
    """The Markdown report: the machine, the table per size, the readers' table and the
    review's if they were measured (``reading``: {"records": count, "formats": bench.readers'
    results, "review": the review task's numbers}), the notes."""
    parts = ["## refman benchmark", "", *machine(), "", table(results), ""]
    lines = notes(results, seed, loads)
    if reading is not None:
        parts += [readers.table(reading["formats"], reading["records"]), ""]
        if "review" in reading:
            parts += [review_table(reading["review"], reading["records"]), ""]
            lines.append(review_note(reading["review"]))
    return "\n".join(parts + [f"- {line}" for line in lines])


# --- command line -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="item counts")
    parser.add_argument("--quick", action="store_true", help=f"one small run ({QUICK_SIZES[0]:,})")
    parser.add_argument("--workdir", help="folder for the files (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the files (and reuse them)")
    parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED)
    parser.add_argument(
        "--no-readers",
        action="store_true",
        help="leave out the import formats' readers' table and the review",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = QUICK_SIZES if args.quick else [int(s) for s in args.sizes.split(",") if s]
    except ValueError:
        parser.error(f"--sizes takes item counts separated by commas, not {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one positive item count")
    return args


def run(sizes: Sequence[int], seed: int, work: Workdir) -> list[dict]:
    log(f"refman benchmark in {work.path}")
    vocab = synthetic.Vocabulary(seed)
    queries = vocab.queries(QUERY_COUNT, seed) + vocab.field_queries(FIELD_QUERY_COUNT, seed)
    results: list[dict] = []
    saved = work.file("results.json")  # every number, for a closer look than the table
    for size in sizes:
        results.append(bench_size(size, seed, work, vocab, queries))
        saved.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def run_readers(count: int, seed: int, work: Workdir, library: Path | None = None) -> dict:
    """Every import format's reader on a synthetic file of ``count`` records (bench.readers),
    then the review of a file of ``count`` records over ``library`` (a new one if None)."""
    log(f"[readers, {count:,} records each]")
    formats = readers.bench_readers(
        count,
        seed,
        work.file,
        lambda task, args: measure.run_child(task, args, work.path),
        log,
    )
    return {"records": count, "formats": formats, "review": run_review(count, seed, work, library)}


def run_review(count: int, seed: int, work: Workdir, library: Path | None) -> dict:
    """The review of an import of ``count`` synthetic records over ``library``, read and shown
    in a child process. The file's seed is the run's plus one: its records are other papers
    than the library's, but a few share a PMID with a library item (the generator draws each
    PMID from eight around the record's number), as a new search overlaps the last one."""
    path = work.file(f"review-{count}-seed{seed + 1}-v{GENERATOR_VERSION}.nbib")
    if library is None:
        library = fresh_library(0, work)  # an empty library: every record is new
    args = {"library": str(library), "file": str(path)}
    try:
        synthetic.write_medline(path, count, seed + 1)
        review = measure.run_child("review", args, work.path)
    except (OSError, measure.BenchError, subprocess.TimeoutExpired) as exc:
        log(f"  review failed: {exc}")
        return {"error": str(exc) or type(exc).__name__}
    log(f"  review: read in {review['review_s']:.1f} s, shown in {review['dialog_shown_s']:.2f} s")
    return review


def review_library(results: Sequence[dict], work: Workdir) -> Path | None:
    """The library the review runs over: the smallest size's, when its import went through."""
    imported = [r["size"] for r in results if "error" not in r["import"]]
    return work.path / f"library-{min(imported)}.sqlite" if imported else None


def failed(results: Sequence[dict], reading: dict | None = None) -> bool:
    formats = reading["formats"].values() if reading else ()
    review = reading.get("review", {}) if reading else {}
    return (
        any(isinstance(p, dict) and "error" in p for r in results for p in r.values())
        or any("error" in f for f in formats)
        or "error" in review
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Workdir(args.workdir, args.keep)
    start, load_at_start = time.perf_counter(), load_average()
    try:
        results = run(args.sizes, args.seed, work)
        count = QUICK_SIZES[0] if args.quick else readers.READER_RECORDS
        library = review_library(results, work)
        reading = None if args.no_readers else run_readers(count, args.seed, work, library)
    except measure.BenchError as exc:
        log(f"bench: {exc}")
        return 1
    finally:
        work.cleanup()
    print(report(results, args.seed, [load_at_start, load_average()], reading))
    log(
        f"done in {time.perf_counter() - start:.0f} s"
        + (f"; files in {work.path}" if args.keep else "")
    )
    return 1 if failed(results, reading) else 0


if __name__ == "__main__":
    sys.exit(main())

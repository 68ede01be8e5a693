"""``python -m bench.pdfs``: PDFs attached and their text indexed, at 1,000 real articles.

Takes the real article PDFs in tests/data/pdf (open-access papers of 4 to 8 pages, 0.2 to
0.5 MB) round-robin as COUNT files of distinct names, makes COUNT items in a new library and
attaches one PDF to each (copied whole into files/, as ``refman attach`` does), reads their
text into the index (``library.attachments.read_text``: PDFium in child processes, a batch
at a time), then times 50 searches of words from the papers: in the PDFs' text alone, and
as the search box searches (fields, tags, notes and the PDFs' text). Prints a Markdown table
with the machine and the date; progress goes to stderr. Speed is measured here, never asserted.

    python -m bench.pdfs [--count 1000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from refman.library import Library
from refman.model import Reference, ViewQuery

PDFS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pdf"
ARTICLES = sorted(p for p in PDFS.glob("*.pdf") if not p.name.startswith("neg-"))
WORDS = [
    "dementia",
    "heart",
    "failure",
    "helicobacter",
    "thrombosis",
    "prophylaxis",
    "anaemia",
    "mountains",
    "stressful",
    "programmes",
    "patients",
    "cohort",
    "eradication",
    "trauma",
    "review",
    "iron",
    "events",
    "incidence",
    "population",
    "nurse",
    "questionnaire",
    "bleeding",
    "heparin",
    "embolism",
    "cognitive",
    "diagnosis",
    "interview",
    "agriculture",
    "climate",
    "randomised",
    "ferritin",
    "pylori",
    "haemoglobin",
    "anticoagulant",
    "fracture",
    "elderly",
    "women",
    "men",
    "risk",
    "model",
    "analysis",
    "hospital",
    "care",
    "study",
    "results",
    "methods",
    "outcome",
    "survival",
    "mortality",
    "treatment",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdfs", description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="refman-bench-pdfs-", dir=args.workdir))
    try:
        rows = measure(work, args.count)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(header(args.count))
    print("| Measurement | Value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


def measure(work: Path, count: int) -> list[tuple[str, str]]:
    sources = copies(work / "papers", count)
    path = work / "library.sqlite"
    with Library(path) as library:
        ids = [library.items.add(Reference(title=f"Paper {n}"))[0] for n in range(count)]
    before = database_size(path)  # measured while no connection of this process is open
    with Library(path) as library:
        say(f"attaching {count} PDFs")
        start = time.perf_counter()
        for item, source in zip(ids, sources, strict=True):
            library.attachments.attach(item, [source])
        attach_s = time.perf_counter() - start
        say("reading their text")
        start, cpu = time.perf_counter(), time.process_time()
        text = library.attachments.read_text()
        read_s = time.perf_counter() - start
        read_cpu = time.process_time() - cpu
        pages = sum(row.pages for rows in library.attachments.of(ids).values() for row in rows)
        searches = search_times(library)
        quick = quick_search_times(library)
    after = database_size(path)
    megabytes = sum(p.stat().st_size for p in sources) / 1e6
    return [
        (
            "PDFs (real articles, round-robin)",
            f"{count:,} ({len(ARTICLES)} distinct, {megabytes:,.0f} MB)",
        ),
        (
            "Attach: copied whole into files/",
            f"{attach_s:.1f} s ({megabytes / attach_s:,.0f} MB/s)",
        ),
        ("Text read into the index: time", f"{read_s:.1f} s (refman's own CPU {read_cpu:.1f} s)"),
        (
            "Text: pages per second",
            f"{pages / read_s:,.0f} /s ({pages:,} pages, {len(text.indexed):,} PDFs indexed)",
        ),
        (
            "Search in the PDFs' text p50 / p95 (50 words)",
            f"{ms(searches, 50)} / {ms(searches, 95)}",
        ),
        (
            "Quick search, plain words, PDFs included p50 / p95 (50 words)",
            f"{ms(quick, 50)} / {ms(quick, 95)}",
        ),
        ("Index size per PDF", f"{(after - before) / count / 1024:,.0f} KB"),
    ]


def copies(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    made = []
    for n in range(count):
        source = ARTICLES[n % len(ARTICLES)]
        target = folder / f"{n:05d}-{source.name}"
        shutil.copyfile(source, target)
        made.append(target)
    return made


def search_times(library: Library) -> list[float]:
    times = []
    for word in WORDS[:50]:
        start = time.perf_counter()
        library.attachments.search_text(word)
        times.append(time.perf_counter() - start)
    return times


def quick_search_times(library: Library) -> list[float]:
    """The search box's search (``library.items.search``) of the same words: the items'
    fields, tags and notes, and the text of their PDFs."""
    times = []
    for word in WORDS[:50]:
        start = time.perf_counter()
        library.items.search(ViewQuery(text=word))
        times.append(time.perf_counter() - start)
    return times


def database_size(path: Path) -> int:
    """The closed library's size in bytes, its log folded in first (through SQLite)."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        size = raw.execute("PRAGMA page_size").fetchone()[0]
    return pages * size


def ms(times: list[float], percent: int) -> str:
    ordered = sorted(times)
    value = ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]
    return f"{value * 1000:.1f} ms"


def header(count: int) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpus = os.cpu_count()
    return (
        f"Measured {now} on {platform.machine()}, {cpus} cores, {platform.system()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"`python -m bench.pdfs --count {count}`; load average "
        f"{os.getloadavg()[0]:.1f}.\n"
    )


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

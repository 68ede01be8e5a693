"""Helpers for the safety tests: the command line as a user runs it, a library's whole content
for before/after comparisons, and damage done to a library file the ways disks do it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from refman.library import Library

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
SAMPLES = [
    DATA / "000_dccecbf8d310899f.txt",
    DATA / "pubmed_result1.txt",
    DATA / "pubmed_result2.txt",
    DATA / "nbib-pubmed-balloongui-set.nbib",
]
REFMAN = Path(sys.executable).parent / "refman"
PAGE = 4096


def refman(library: Path, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed ``refman`` on ``library``; no traceback may reach the user."""
    env = dict(os.environ)
    env.pop("REFMAN_LIBRARY", None)
    argv = [str(REFMAN), "--library", str(library), *map(str, args)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def filled_library(path: Path, files=SAMPLES) -> Path:
    """A library holding the sample files, a collection, a tag, a note and a trashed item."""
    with Library(path) as library:
        report = library.import_files(files, collection="Reading")
        ids = report.added
        library.add_tags(ids[:3], ["to read"])
        library.add_note(ids[0], "<p>Checked the methods.</p>")
        library.trash(ids[-1:])
    return path


def snapshot(path: Path) -> tuple:
    """Everything a user sees of a library: items (trashed too), collections, notes, tags."""
    with Library(path, read_only=True) as library:
        ids = sorted(library.store.all_ids())
        refs = library.get_many(ids)
        notes = [(n.item_id, n.html) for i in ids for n in library.notes(i)]
        collections = [
            (c.name, sorted(library.search(collection=c.id))) for c in library.collections()
        ]
        return refs, notes, collections, library.tag_counts(), library.tag_counts(trashed=True)


def checkpoint(path: Path) -> None:
    """Move every commit from the -wal file into the library file itself."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def root_page(path: Path, name: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()[0]
    finally:
        conn.close()


def overwrite_page(path: Path, page: int, data: bytes) -> None:
    """Write ``data`` over page ``page`` (1-based) of the file, as a failing disk might."""
    checkpoint(path)
    with path.open("r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(data[:PAGE])


def wreck_table(path: Path, table: str = "item") -> None:
    """Garbage over the root page of a table: SQLite's quick check fails, no index can help."""
    overwrite_page(path, root_page(path, table), bytes(range(256)) * (PAGE // 256))


def unsort_index(path: Path, index: str, first: bytes, second: bytes) -> None:
    """Swap two keys (of one length) inside an index's root page: every page still reads, but
    the index no longer agrees with its table (``integrity_check`` finds it, ``quick_check``
    does not)."""
    checkpoint(path)
    start = (root_page(path, index) - 1) * PAGE
    with path.open("r+b") as handle:
        handle.seek(start)
        data = bytearray(handle.read(PAGE))
        a, b, n = data.index(first), data.index(second), len(first)
        data[a : a + n], data[b : b + n] = second, first
        handle.seek(start)
        handle.write(bytes(data))


def on_a_small_disk(folder: Path, size_kib: int, script: str) -> str:
    """Run ``script`` (sh) with a new, empty file system of ``size_kib`` mounted on ``folder``,
    as a real full disk: a private mount (user and mount namespaces, no privileges needed),
    seen only by the script and what it starts. ``$REFMAN`` is the installed command; the
    script's output (stdout and stderr) is returned."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, REFMAN=str(REFMAN), DISK=str(folder))
    env.pop("REFMAN_LIBRARY", None)
    mount = f'mount -t tmpfs -o size={size_kib}k none "$DISK" && cd "$DISK" && {script}'
    argv = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done.stdout + done.stderr

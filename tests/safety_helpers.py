"""Helpers for the safety tests, unit and system alike: a filled library, its whole content for
before/after comparisons, damage done to a library file the ways disks do it, paths that cannot
be a library; and, for tests/system, the command line as a user runs it and the window as a
process of its own."""

from __future__ import annotations

import collections
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from refman.formats import medline
from refman.library import Library, backups
from refman.model import ViewQuery
from refman.store import field_index, fts, maintenance, mapping
from refman.store import items as stored_items
from refman.store import tags as stored_tags
from tests.samples import SAMPLE_FILES

REFMAN = Path(sys.executable).parent / "refman"
# The offscreen platform warns when asked for what only a real display does (raise a window,
# grab the keyboard for a completer popup, propagate size hints): not our bugs.
OFFSCREEN_NOISE = "This plugin does not support "


def refman(
    library: Path | None, *args, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the installed ``refman`` on ``library`` (None: no ``--library``, the environment's
    REFMAN_LIBRARY or the default library); no traceback may reach the user."""
    env = dict(os.environ if env is None else env)
    argv = [str(REFMAN), *map(str, args)]
    if library is not None:
        env.pop("REFMAN_LIBRARY", None)
        argv[1:1] = ["--library", str(library)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def fail_at_batch(patch: pytest.MonkeyPatch, batch: int) -> Callable:
    """Make the store's item insert raise "disk gone" at the import's ``batch``-th batch (the
    ones before are written, inside the file's transaction); the real insert, to put back."""
    real_insert = stored_items.insert
    batches = 0

    def failing_insert(db, refs, new_items=None):
        nonlocal batches
        batches += 1
        if batches == batch:
            raise RuntimeError("disk gone")
        return real_insert(db, refs, new_items)

    patch.setattr(stored_items, "insert", failing_insert)
    return real_insert


def fill_library(path: Path, files=SAMPLE_FILES) -> Path:
    """A library holding the sample files, a collection, a tag, a note and a trashed item
    (tests take a copy of one made once: the ``filled_library`` fixture)."""
    with Library(path) as library:
        report = library.importing.files(files, collection="Reading")
        ids = report.added
        library.tags.add(ids[:3], ["to read"])
        library.notes.add(ids[0], "<p>Checked the methods.</p>")
        library.items.trash(ids[-1:])
    return path


def as_before_field_indexes(patch: pytest.MonkeyPatch) -> None:
    """Make the store write as refman did before the field search's indexes (mesh_qualifier,
    affiliation: store/field_index.py), for a test that imports into a library of an older
    schema, with ``migrations.MIGRATIONS`` cut short, to stand for an older refman."""
    patch.setattr(field_index, "index_qualifiers", lambda *args, **kwargs: None)
    patch.setattr(field_index, "index_affiliations", lambda *args, **kwargs: None)
    # Nor were affiliations stored once or abstracts packed (a later step: migrations).
    patch.setattr(field_index, "affiliation_ids", lambda db, texts: {text: text for text in texts})
    patch.setattr(mapping, "pack_abstract", lambda text: text)
    # Nor were subheadings named by id, roles and kinds left out (issue 18, i18-bytes).
    patch.setattr(mapping, "qualifier_names", lambda tags: set())
    patch.setattr(mapping, "stored_role", lambda role: role)
    patch.setattr(mapping, "stored_kind", lambda kind: kind)


def snapshot(path: Path) -> tuple:
    """Everything a user sees of a library: items (trashed too), collections, notes, tags."""
    with Library(path, read_only=True) as library:
        ids = sorted(library.items.all_ids())
        refs = library.items.get_many(ids)
        notes = [(n.item_id, n.html) for i in ids for n in library.notes.of_item(i)]
        collections = [
            (c.name, sorted(library.items.search(ViewQuery(collection=c.id))))
            for c in library.collections.all()
        ]
        return (
            refs,
            notes,
            collections,
            library.tags.counts(),
            library.tags.counts(ViewQuery(trashed=True)),
        )


def assert_kept(before: tuple, path: Path) -> None:
    """Every item the library held (``before``: its snapshot) is still there unchanged, with
    its notes and collections: an import may only add items."""
    refs, notes, collections, *_ = snapshot(path)
    by_id = {ref.id: ref for ref in refs}
    assert [by_id.get(ref.id) for ref in before[0]] == before[0]
    assert (notes, collections) == (before[1], before[2])


def unix_socket(path: Path) -> socket.socket:
    """A socket bound at ``path``, as a program listening there leaves it: not a file to read."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return server


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


def page_size(path: Path) -> int:
    """The file's page size, from its header (a new library's is store.database.PAGE_SIZE,
    an older one's may be smaller)."""
    with path.open("rb") as handle:
        handle.seek(16)
        size = int.from_bytes(handle.read(2), "big")
    return 65536 if size == 1 else size


def overwrite_page(path: Path, page: int, data: bytes) -> None:
    """Write ``data`` over page ``page`` (1-based) of the file, as a failing disk might."""
    checkpoint(path)
    size = page_size(path)
    with path.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(data[:size])


def wreck_table(path: Path, table: str = "item") -> None:
    """Garbage over the root page of a table: SQLite's quick check fails, no index can help."""
    garbage = bytes(range(256)) * (page_size(path) // 256)
    overwrite_page(path, root_page(path, table), garbage)


def unsort_index(path: Path, index: str, first: bytes, second: bytes) -> None:
    """Swap two keys (of one length) inside an index's root page: every page still reads, but
    the index no longer agrees with its table (``integrity_check`` finds it, ``quick_check``
    does not)."""
    checkpoint(path)
    size = page_size(path)
    start = (root_page(path, index) - 1) * size
    with path.open("r+b") as handle:
        handle.seek(start)
        data = bytearray(handle.read(size))
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


# --- the window and the command line as separate processes ------------------------------------


def program_env(home: Path) -> dict[str, str]:
    """The environment of a refman process started by a test: Qt offscreen, and settings, logs
    and caches kept in ``home``, never in the user's own folders."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("REFMAN_LIBRARY", None)
    return env


def wait_until(ready: Callable[[], object], timeout: float, what: str, poll: float = 0.1):
    """``ready()``'s first true value; the test fails, naming ``what``, after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {timeout:.0f} s for {what}, in vain.")
        time.sleep(poll)


class WindowProcess:
    """A refman window running in a process of its own, its output kept in files."""

    def __init__(self, argv: list[str], env: dict[str, str], folder: Path, cwd: Path | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.stderr_path = folder / "window.stderr"
        with self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err
            )
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def library_files(self, library: Path) -> list[str]:
        """What the window's open descriptors on the library and its -wal/-shm point to;
        a file another process deleted ends in " (deleted)"."""
        found = []
        for fd in Path(f"/proc/{self.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            if target.startswith(str(library)):
                found.append(target)
        return found

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def unexpected_output(self) -> list[str]:
        """Lines the window wrote to stderr other than the offscreen platform's warnings."""
        return [line for line in self.stderr().splitlines() if line and OFFSCREEN_NOISE not in line]

    def terminate(self, timeout: float = 30) -> int:
        """Ask the window to quit (SIGTERM: as the Quit command); its exit status."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"The window did not quit within {timeout:.0f} s of SIGTERM.")

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(10)


def start_window(library: Path, env: dict[str, str], folder: Path) -> WindowProcess:
    """``refman --library LIBRARY``: the installed program opens its window on the library."""
    return WindowProcess([str(REFMAN), "--library", str(library)], env, folder)


def hand_off(
    library: Path, files: Iterable[Path], env: dict[str, str], timeout: float = 30
) -> None:
    """``refman --library LIBRARY FILE...`` while a window is open on the library: the files go
    to that window, and the command returns at once."""
    argv = [str(REFMAN), "--library", str(library), *map(str, files)]
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(argv)}` opened a window of its own: no window took the files.")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def regular_backups(library: Path) -> list[Path]:
    """The library's finished regular backups (daily or made by ``refman backup``)."""
    return [b.path for b in backups.list_backups(library) if b.regular]


def integrity_problems(path: Path) -> list[str]:
    """What SQLite's full integrity check finds in the file; empty when it is sound."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if found == ["ok"] else found


def file_pmids(path: Path) -> list[str]:
    """The PMIDs of the records of a MEDLINE file, in file order."""
    with path.open("rb") as stream:
        return [ref.pmid for ref in medline.read(stream, name=str(path), on_problem=lambda _: None)]


def pmid_counts(path: Path) -> collections.Counter:
    """How many items of the library (trashed ones too) carry each PMID."""
    with Library(path, read_only=True) as library:
        refs = library.items.get_many(sorted(library.items.all_ids()))
    return collections.Counter(ref.pmid for ref in refs)


def file_problems(library: Library) -> list[str]:
    """What SQLite's full check (and the foreign keys) find in an open library."""
    with library.connection.reading() as db:
        return maintenance.integrity_problems(db)


def index_problems(library: Library) -> list[str]:
    """Where the full-text index and the items disagree, read in one snapshot."""
    with library.connection.reading() as db:
        return fts.differences(db)


def tag_total_problems(library: Library) -> list[str]:
    """Tags whose stored item count disagrees with their links."""
    with library.connection.reading() as db:
        return stored_tags.check_totals(db)


# --- paths that cannot be a library -------------------------------------------------------


def _long_name(tmp_path: Path) -> Path:
    return tmp_path / ("a" * 300)


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "one").symlink_to(tmp_path / "two")
    (tmp_path / "two").symlink_to(tmp_path / "one")
    return tmp_path / "one"


def _through_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    return tmp_path / "file.txt" / "lib.sqlite"


def _pipe(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "pipe"


# (how to make the path, what the message says of it)
BAD_LIBRARIES = {
    "device": (lambda tmp: Path("/dev/null"), "is not a regular file (it is a device, a pipe"),
    "pipe": (_pipe, "is not a regular file (it is a device, a pipe"),
    "root": (lambda tmp: Path("/"), "is a folder, not a library file: name a file in it, such"),
    "folder": (lambda tmp: tmp, "is a folder, not a library file"),
    "loop": (_loop, "cannot be opened: its symbolic links lead round in a loop."),
    "long name": (_long_name, "cannot be opened: the name is too long for the file system."),
    "through a file": (_through_a_file, "cannot be a library: {tmp}/file.txt is a file, not a"),
    "missing folder": (
        lambda tmp: tmp / "missing" / "dir" / "lib.sqlite",
        "There is no folder {tmp}/missing/dir for the library {path}: create the folder first",
    ),
}


def expected_message(kind: str, tmp_path: Path, path: Path) -> str:
    said = BAD_LIBRARIES[kind][1].format(tmp=tmp_path, path=path)
    return said if said.startswith("There") else f"{path} {said}"

"""What an import opens and what it keeps: regular files only (a FIFO or a device is refused
unopened), never the library's own files, never half of a file that changes while it is read,
and no control characters in the library or in any export."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from refman.formats import EXPORT_FORMATS, medline
from refman.library import Library
from refman.library.importing import FILE_CHANGED
from refman.model import Creator, Reference
from tests.safety_helpers import DATA, REFMAN, filled_library, refman, snapshot

GOOD = DATA / "zotero-case-02.nbib"  # two records
BIG = DATA / "nbib-pubmed-balloongui-set.nbib"  # 395 KB: read in several chunks
NOT_A_FILE = "not a file: only files and folders can be imported"


@pytest.fixture(scope="module")
def base_library(tmp_path_factory) -> Path:
    return filled_library(tmp_path_factory.mktemp("base") / "library.sqlite")


@pytest.fixture
def library_path(base_library, tmp_path) -> Path:
    return Path(shutil.copy(base_library, tmp_path / "library.sqlite"))


def messages(report) -> dict[str, str]:
    return {problem.path: problem.message for problem in report.problems}


# --- files that are not regular files ---------------------------------------------------------


def unix_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return server


def test_a_fifo_a_socket_and_a_device_are_refused_without_waiting(library_path, tmp_path):
    """A FIFO nobody writes to would block ``open`` for ever, holding the write lock; the
    timeout makes a hang a failure."""
    fifo, sock = tmp_path / "pipe.nbib", tmp_path / "socket.nbib"
    os.mkfifo(fifo)
    server = unix_socket(sock)
    before = snapshot(library_path)
    try:
        result = refman(library_path, "import", fifo, sock, "/dev/zero", GOOD, timeout=60)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr  # the good file was read
    assert "2 added" in result.stdout
    assert f"{fifo}: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout
    assert f"{sock}: this is a socket, {NOT_A_FILE}" in result.stdout
    assert f"/dev/zero: this is a device, {NOT_A_FILE}" in result.stdout
    assert snapshot(library_path)[0][: len(before[0])] == before[0]


def test_only_a_fifo_is_refused_with_exit_status_1(library_path, tmp_path):
    fifo = tmp_path / "pipe.nbib"
    os.mkfifo(fifo)
    before = snapshot(library_path)
    result = refman(library_path, "import", fifo, timeout=60)
    assert result.returncode == 1
    assert f"{fifo}: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout
    assert snapshot(library_path) == before


def test_standard_input_as_a_pipe_is_refused(library_path):
    env = {k: v for k, v in os.environ.items() if k != "REFMAN_LIBRARY"}
    argv = [str(REFMAN), "--library", str(library_path), "import", "/dev/stdin"]
    result = subprocess.run(
        argv, input=GOOD.read_text(), capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert f"/dev/stdin: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout


def test_a_folder_skips_what_is_not_a_regular_file(library_path, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    os.mkfifo(folder / "pipe.nbib")
    server = unix_socket(folder / "socket.txt")
    (folder / "zero.nbib").symlink_to("/dev/zero")
    shutil.copy(GOOD, folder / "good.nbib")
    try:
        with Library(library_path) as library:
            report = library.importing.files([folder])
    finally:
        server.close()
    assert (len(report.added), report.files_read, report.problems) == (2, 1, [])


# --- the library's own files ------------------------------------------------------------------

OWN = "this is the library itself; it cannot be imported"
BACKUP = "this is in the library's backups folder; to go back to a backup, use restore"


def part_of_library(suffix: str) -> str:
    return f"this is part of the library itself (SQLite's {suffix} file); it cannot be imported"


class OpenedFiles:
    """The paths this process opens (Python's ``open`` audit event: open(), os.open, io)."""

    recording: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if event == "open" and cls.recording is not None and isinstance(args[0], (str, Path)):
            cls.recording.append(os.path.realpath(args[0]))


sys.addaudithook(OpenedFiles.hook)


def import_recording_opens(library: Library, paths) -> tuple:
    OpenedFiles.recording = []
    try:
        report = library.importing.files(paths)
    finally:
        opened, OpenedFiles.recording = OpenedFiles.recording, None
    return report, opened


def test_the_library_its_log_and_its_backups_are_refused_unopened(library_path, tmp_path):
    with Library(library_path) as library:
        library.tags.add(library.items.search()[:1], ["written"])  # the -wal file holds a commit
        backup = library.safety.backup()
        link = tmp_path / "another-name.nbib"
        os.link(library_path, link)
        paths = [library_path, link, *(f"{library_path}{s}" for s in ("-wal", "-shm")), backup]
        before = snapshot(library_path)
        report, opened = import_recording_opens(library, paths)
    assert messages(report) == {
        str(library_path): OWN,
        str(link): OWN,
        f"{library_path}-wal": part_of_library("-wal"),
        f"{library_path}-shm": part_of_library("-shm"),
        str(backup): BACKUP,
    }
    assert (report.files_read, report.added) == (0, [])
    library_files = {os.path.realpath(p) for p in [*paths, f"{library_path}-journal"]}
    assert library_files.isdisjoint(opened)
    assert snapshot(library_path) == before


def test_a_folder_holding_the_library_imports_the_rest(tmp_path):
    """A library named without a suffix looks like a MEDLINE file to the folder walk; it and
    its companions are refused before the walk would sniff them."""
    folder = tmp_path / "papers"
    folder.mkdir()
    library_path = filled_library(folder / "refs")
    shutil.copy(GOOD, folder / "good.nbib")
    with Library(library_path) as library:
        library.safety.backup()
        before = snapshot(library_path)
        report, opened = import_recording_opens(library, [folder])
        wal_exists = Path(f"{library_path}-wal").exists()
    assert len(report.added) == 2
    refused = {str(library_path): OWN}
    if wal_exists:
        refused[f"{library_path}-wal"] = part_of_library("-wal")
        refused[f"{library_path}-shm"] = part_of_library("-shm")
    assert messages(report) == refused
    own = {os.path.realpath(library_path), os.path.realpath(f"{library_path}-wal")}
    assert own.isdisjoint(opened)
    assert os.path.realpath(folder / "good.nbib") in opened
    assert snapshot(library_path)[0][: len(before[0])] == before[0]


# A process that holds the library open, imports the library's own files (refused), then on a
# line from its standard input writes a tag, while other processes use the library.
HOLDER = """
import sys
from refman.library import Library
library = Library(sys.argv[1])
library.tags.add(library.items.search()[:1], ["before"])
report = library.importing.files(sys.argv[1:])
print(len(report.problems), report.files_read, flush=True)
sys.stdin.readline()
library.tags.add(library.items.search()[:1], ["after"])
print("written", flush=True)
sys.stdin.readline()
library.close()
"""


def test_refusing_its_own_files_keeps_the_importer_s_locks(library_path):
    """Were the importer to open and close the library file, it would drop its locks on it: the
    next process to close the library would think itself the last one, and delete the -wal
    file under the importer (the first data loss of issue 11)."""
    own = [library_path, f"{library_path}-wal", f"{library_path}-shm"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *map(str, own)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().split() == ["3", "0"]  # three refused, none read
        assert refman(library_path, "list").returncode == 0
        assert Path(f"{library_path}-wal").exists()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "written"
        listed = refman(library_path, "list", "--json")
        tags = [json_line for json_line in listed.stdout.splitlines() if '"after"' in json_line]
        assert len(tags) == 1
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
    assert refman(library_path, "check").returncode == 0


# --- files that change while they are read ----------------------------------------------------


def shrink(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def grow(path: Path) -> None:
    with path.open("a") as handle:
        handle.write("\nPMID- 39999999\nTI  - A record written while the file was read.\n")


def replace(path: Path) -> None:
    other = path.with_name("other.nbib")
    shutil.copy(GOOD, other)
    os.replace(other, path)


def titles(*paths: Path) -> set[str]:
    return {ref.title for path in paths for ref in medline.read(path)}


@pytest.mark.parametrize("change", [shrink, grow, replace])
def test_a_file_that_changes_while_it_is_read_is_not_imported(tmp_path, change):
    """The change comes from the progress callback, once the first bytes of the file were
    read: the file then really changes under the reader, at the same moment every time."""
    first = Path(shutil.copy(GOOD, tmp_path / "first.nbib"))
    changing = Path(shutil.copy(BIG, tmp_path / "downloading.nbib"))
    last = Path(shutil.copy(DATA / "zotero-case-03.nbib", tmp_path / "last.nbib"))
    changed: list[int] = []

    def progress(read: int, total: int) -> None:
        if not changed and read > first.stat().st_size:  # inside the changing file
            changed.append(read)
            change(changing)

    with Library(tmp_path / "library.sqlite") as library:
        report = library.importing.files([first, changing, last], progress=progress)
        stored = {ref.title for ref in library.items.get_many(library.items.search())}
    assert changed
    assert messages(report) == {str(changing): FILE_CHANGED}
    assert (report.files_read, report.files_failed) == (2, 1)
    assert stored == titles(first, last)  # the other files, and nothing of the changing one


def test_the_message_for_a_changed_file_names_it(library_path, tmp_path):
    changing = Path(shutil.copy(BIG, tmp_path / "downloading.nbib"))
    before = snapshot(library_path)
    with Library(library_path) as library:
        report = library.importing.files([changing], progress=lambda *_: shrink(changing))
    assert [str(p) for p in report.problems] == [
        f"{changing}: it changed while it was being imported; it was not imported: "
        "import it again when it is complete"
    ]
    assert snapshot(library_path) == before


# --- control characters -----------------------------------------------------------------------

DIRTY_TITLE = "An \x1b[31mescape\x1b[0m sequence, a bell\x07 and a back\x08space"
CLEAN_TITLE = "An [31mescape[0m sequence, a bell and a backspace"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
RTF_C1 = re.compile(r"\\u1(?:2[89]|[3-5][0-9])\?")  # how RTF writes a C1 control


def without_escaped_controls(fmt: str, text: str) -> bool:
    """No control character in ``text`` in the escaped form of its format either."""
    if fmt == "csl-json":
        return not any(
            CONTROL.search(json.dumps(item, ensure_ascii=False).replace("\\", ""))
            for item in json.loads(text)
        )
    return fmt != "rtf" or not RTF_C1.search(text)


def test_control_characters_reach_neither_the_library_nor_any_export(library_path, tmp_path):
    path = tmp_path / "dirty.nbib"
    record = f"PMID- 39000001\nTI  - {DIRTY_TITLE}.\nFAU - Bell\x07, Alexander\nDP  - 2020\n"
    path.write_bytes(record.encode())
    result = refman(library_path, "import", path)
    assert result.returncode == 0
    assert "1 added" in result.stdout
    with Library(library_path) as library:
        (item,) = [
            ref for ref in library.items.get_many(library.items.search()) if ref.pmid == "39000001"
        ]
        # An item that an older refman stored with them.
        old = Reference(
            title=f"Old: {DIRTY_TITLE}",
            abstract="a NUL\x00 and a C1 control\x9b",
            creators=(Creator("Olden\x1b", "Stored\x08"),),
        )
        old_id, _ = library.items.add(old)
    assert item.title == CLEAN_TITLE
    assert item.creators[0].family == "Bell"
    assert not any(CONTROL.search(value) for _, value in item.source_record)
    for fmt in EXPORT_FORMATS:
        exported = refman(library_path, "export", "--format", fmt)
        assert exported.returncode == 0, exported.stderr
        assert "[31mescape[0m sequence" in exported.stdout, fmt
        assert "Olden" in exported.stdout, fmt
        assert not CONTROL.search(exported.stdout), fmt
        assert without_escaped_controls(fmt, exported.stdout), fmt
    with Library(library_path) as library:
        for kind in ("text", "html", "rtf"):
            cited = library.exporting.cite([old_id], style="apa", fmt=kind)  # names the author
            assert "Olden" in cited, kind
            assert not CONTROL.search(cited) and without_escaped_controls(kind, cited), kind

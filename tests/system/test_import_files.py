"""What ``refman import`` opens and what it keeps, as a user runs it: a FIFO, a socket, a device
or a pipe on standard input refused unopened; the importer's locks kept while it refuses the
library's own files (another process uses the library meanwhile); and no control characters in
the library or in any export. The library's side is tested in
tests/unit/library/test_importing.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from refman.formats import EXPORT_FORMATS
from refman.library import Library
from refman.model import Creator, Reference
from tests.safety_helpers import REFMAN, refman, snapshot, unix_socket
from tests.samples import ZOTERO_CASES

GOOD = ZOTERO_CASES[1]  # two records
NOT_A_FILE = "not a file: only files and folders can be imported"


# --- files that are not regular files -------------------------------------------------------------


def test_a_fifo_a_socket_and_a_device_are_refused_without_waiting(filled_library, tmp_path):
    """A FIFO nobody writes to would block ``open`` for ever, holding the write lock; the
    timeout makes a hang a failure."""
    fifo, sock = tmp_path / "pipe.nbib", tmp_path / "socket.nbib"
    os.mkfifo(fifo)
    server = unix_socket(sock)
    before = snapshot(filled_library)
    try:
        result = refman(filled_library, "import", fifo, sock, "/dev/zero", GOOD, timeout=60)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr  # the good file was read
    assert "2 added" in result.stdout
    assert f"{fifo}: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout
    assert f"{sock}: this is a socket, {NOT_A_FILE}" in result.stdout
    assert f"/dev/zero: this is a device, {NOT_A_FILE}" in result.stdout
    assert snapshot(filled_library)[0][: len(before[0])] == before[0]


def test_only_a_fifo_is_refused_with_exit_status_1(filled_library, tmp_path):
    fifo = tmp_path / "pipe.nbib"
    os.mkfifo(fifo)
    before = snapshot(filled_library)
    result = refman(filled_library, "import", fifo, timeout=60)
    assert result.returncode == 1
    assert f"{fifo}: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout
    assert snapshot(filled_library) == before


def test_standard_input_as_a_pipe_is_refused(filled_library):
    env = {k: v for k, v in os.environ.items() if k != "REFMAN_LIBRARY"}
    argv = [str(REFMAN), "--library", str(filled_library), "import", "/dev/stdin"]
    result = subprocess.run(
        argv, input=GOOD.read_text(), capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert f"/dev/stdin: this is a named pipe (FIFO), {NOT_A_FILE}" in result.stdout


# --- the library's own files ----------------------------------------------------------------------


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


def test_refusing_its_own_files_keeps_the_importer_s_locks(filled_library):
    """Were the importer to open and close the library file, it would drop its locks on it: the
    next process to close the library would think itself the last one, and delete the -wal
    file under the importer (the first data loss of issue 11)."""
    own = [filled_library, f"{filled_library}-wal", f"{filled_library}-shm"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *map(str, own)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().split() == ["3", "0"]  # three refused, none read
        assert refman(filled_library, "list").returncode == 0
        assert Path(f"{filled_library}-wal").exists()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "written"
        listed = refman(filled_library, "list", "--json")
        tags = [json_line for json_line in listed.stdout.splitlines() if '"after"' in json_line]
        assert len(tags) == 1
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
    assert refman(filled_library, "check").returncode == 0


# --- control characters ---------------------------------------------------------------------------


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


def test_control_characters_reach_neither_the_library_nor_any_export(filled_library, tmp_path):
    path = tmp_path / "dirty.nbib"
    record = f"PMID- 39000001\nTI  - {DIRTY_TITLE}.\nFAU - Bell\x07, Alexander\nDP  - 2020\n"
    path.write_bytes(record.encode())
    result = refman(filled_library, "import", path)
    assert result.returncode == 0
    assert "1 added" in result.stdout
    with Library(filled_library) as library:
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
        exported = refman(filled_library, "export", "--format", fmt)
        assert exported.returncode == 0, exported.stderr
        assert "[31mescape[0m sequence" in exported.stdout, fmt
        assert "Olden" in exported.stdout, fmt
        assert not CONTROL.search(exported.stdout), fmt
        assert without_escaped_controls(fmt, exported.stdout), fmt
    with Library(filled_library) as library:
        for kind in ("text", "html", "rtf"):
            cited = library.exporting.cite([old_id], style="apa", fmt=kind)  # names the author
            assert "Olden" in cited, kind
            assert not CONTROL.search(cited) and without_escaped_controls(kind, cited), kind

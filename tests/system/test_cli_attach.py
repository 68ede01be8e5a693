"""``refman attach`` and ``refman attachments``, and attachments under the ways a copy fails:
a kill in the middle of the copy, a full disk, refman check after both."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from refman.library import Library
from tests.safety_helpers import on_a_small_disk, refman, wait_until

DATA = Path(__file__).parents[1] / "data"
PDF = DATA / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"


def one_item_library(path: Path) -> int:
    with Library(path) as library:
        return library.importing.files([DATA / "pubmed_result1.txt"]).added[0]


def test_attach_copies_and_attachments_lists_them(library_path, tmp_path):
    item = one_item_library(library_path)
    linked = tmp_path / "notes.txt"
    linked.write_text("my notes")
    result = refman(library_path, "attach", str(item), str(PDF))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Attached 1 file to item {item}.\nRead the text of 1 PDF.\n"
    assert refman(library_path, "attach", str(item), "--link", str(linked)).returncode == 0

    listed = refman(library_path, "attachments", str(item), "--json")
    first, second = (json.loads(line) for line in listed.stdout.splitlines())
    assert (first["name"], first["linked"], first["missing"]) == (PDF.name, False, False)
    assert Path(first["file"]).read_bytes() == PDF.read_bytes()
    assert (second["file"], second["linked"]) == (str(linked), True)
    plain = refman(library_path, "attachments", str(item)).stdout.splitlines()
    assert plain[0].endswith(f"{PDF.name}  (481.8 KB)  {first['file']}")
    assert plain[1].endswith(f"notes.txt  (8 bytes) [linked]  {linked}")


def test_attach_tells_each_file_it_could_not_attach_and_exits_1(library_path, tmp_path):
    item = one_item_library(library_path)
    result = refman(library_path, "attach", str(item), str(PDF), str(tmp_path / "gone.pdf"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"Attached 1 file to item {item}. 1 not attached.",
        f"  {tmp_path / 'gone.pdf'} is not there (moved or deleted?).",
        "Read the text of 1 PDF.",
    ]
    unknown = refman(library_path, "attach", "999", str(PDF))
    assert (unknown.returncode, unknown.stderr) == (1, "refman: There is no item with id 999.\n")


KILLED_MID_COPY = """
import shutil, sys, time
from pathlib import Path
from refman.library import Library

library, item, source, ready = sys.argv[1:]

def half_then_hang(src, dst, length=0):
    dst.write(src.read(100_000))
    dst.flush()
    Path(ready).touch()
    time.sleep(120)

shutil.copyfileobj = half_then_hang  # the copy stops half-way, and the test kills us there
with Library(Path(library)) as opened:
    opened.attachments.attach(int(item), [source])
"""


def test_a_kill_in_the_middle_of_a_copy_leaves_no_attachment_and_no_half_file(
    library_path, tmp_path
):
    item = one_item_library(library_path)
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_COPY, str(library_path), str(item), str(PDF), str(ready)]
    )
    try:
        wait_until(ready.exists, 60, "the copy to be half done")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with Library(library_path) as library:
        assert library.attachments.of([item]) == {}
    files = library_path.parent / "files"
    (folder,) = files.iterdir()
    assert [p.name for p in folder.iterdir()] == [f".{folder.name}.refman-part"]  # never PDF.name

    check = refman(library_path, "check")
    assert check.returncode == 0  # the library itself is sound
    assert "Attachments: 1 problem with their files:" in check.stdout
    assert f"{folder} belongs to no attachment" in check.stdout
    assert refman(library_path, "attach", str(item), str(PDF)).returncode == 0  # and again


def test_a_full_disk_while_copying_keeps_nothing_of_the_file_and_tells_it(library_path):
    item = one_item_library(library_path)
    files = library_path.parent / "files"
    script = textwrap.dedent(f"""
        "$REFMAN" --library {library_path} attach {item} {PDF}
        echo "exit $?"
        echo "left: $(ls -A)"
    """)
    said = on_a_small_disk(files, 64, script)  # 64 KiB: the 482 KB PDF cannot fit
    assert f"Cannot attach {PDF}: the disk is full. Nothing of it was kept." in said
    assert "exit 1" in said and "left: \n" in said
    with Library(library_path) as library:
        assert library.attachments.of([item]) == {}


# A process that holds the library open, is asked to attach the library's own files, import
# them as PDFs and keep one up to date as a live export (each refused before anything opens
# it), then on a line from its standard input writes a tag, while other processes use the
# library: were it to open and close one of those files, it would have dropped its POSIX locks
# and the next program to close the library would delete the -wal it still writes to.
HOLDER = """
import sys
from refman.library import Library
from refman.model import RefmanError
library_path, *own = sys.argv[1:]
library = Library(library_path)
item = library.items.search()[0]
attached = library.attachments.attach(item, own)
imported = library.pdfs.import_files(own)
refused = 0
for path in own:
    try:
        library.live_exports.add(path, "bibtex")
    except RefmanError:
        refused += 1
print(len(attached.failed), len(imported.failed), refused, flush=True)
sys.stdin.readline()
library.tags.add([item], ["after"])
print("written", flush=True)
sys.stdin.readline()
library.close()
"""


def test_refusing_its_own_files_keeps_the_attacher_s_locks(filled_library):
    own = [str(filled_library), f"{filled_library}-wal", f"{filled_library}-shm"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(filled_library), *own],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().split() == ["3", "3", "3"]  # every one refused
        assert refman(filled_library, "list").returncode == 0  # another process comes and goes
        assert Path(f"{filled_library}-wal").exists()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "written"
        listed = refman(filled_library, "list", "--json").stdout.splitlines()
        assert len([line for line in listed if '"after"' in line]) == 1
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
    assert refman(filled_library, "check").returncode == 0
    assert not (filled_library.parent / "files").exists()  # nothing of them was copied

"""A 300 MB PDF, and a PDF whose reader is killed: reading a PDF stays bounded in time and
memory in its child process, refman's own process stays small and goes on, and every failure
is told in plain words. The PDFs are real, valid files written into the test's folder
(tests/pdf_maker.py), a megabyte at a time."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import signal
import threading
import time
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import Reference, ViewQuery
from tests.pdf_maker import write_huge_page_pdf, write_large_pdf
from tests.safety_helpers import refman
from tests.system.test_bad_input import measured

MB = 2**20
BIG = 300 * MB
# Peak memory of ``refman attach`` with its text read: about 60 MB whatever the PDF, which
# is copied a megabyte at a time and read in a child process; reading the 300 MB file whole
# would take 300 MB at least.
MAX_RSS_MB = 200
ARTICLE = Path(__file__).parents[1] / "data" / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"


def new_item(path: Path, title: str = "A big book") -> int:
    with Library(path) as library:
        return library.items.add(Reference(title=title))[0]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


def test_a_300_mb_pdf_is_copied_whole_and_its_text_read_in_bounded_memory(library_path, tmp_path):
    pdf = tmp_path / "scanned book.pdf"
    size = write_large_pdf(pdf, pages=30, image_bytes=BIG // 30, words="zymurgical kettle")
    assert size >= BIG
    item = new_item(library_path)

    result, peak_mb = measured(library_path, "attach", item, pdf)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Attached 1 file to item {item}.\nRead the text of 1 PDF.\n"
    assert peak_mb < MAX_RSS_MB

    listing = refman(library_path, "attachments", item, "--json").stdout
    (entry,) = map(json.loads, listing.splitlines())
    copy = Path(entry["file"])
    assert (entry["size"], entry["pages"], entry["text"]) == (size, 30, "indexed")
    assert copy.stat().st_size == size and sha256(copy) == sha256(pdf)
    # Every page's text is in the index: the last page's own word finds the item.
    listed = refman(library_path, "list", "--query", "zymurgical page30")
    assert listed.stdout.rstrip().endswith("A big book  [in PDF]")


def test_a_300_mb_page_past_the_memory_bound_is_stopped_and_told(library_path, tmp_path):
    pdf = tmp_path / "one huge page.pdf"
    assert write_huge_page_pdf(pdf, stream_bytes=BIG, words="zymurgical kettle boils") >= BIG
    item = new_item(library_path)

    # The program's own bounds (60 s, 1.5 GB): PDFium needs more than 1.5 GB for this page.
    result, peak_mb = measured(library_path, "attach", item, pdf, ARTICLE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"Attached 2 files to item {item}.",
        "Read the text of 1 PDF. 1 could not be read.",
    ]
    stored = library_path.parent / "files"  # the copy is read: files/<key>/one huge page.pdf
    assert lines[2].startswith(
        f"  {pdf.name}: not read: The PDF library stopped while reading {stored}/"
    )
    assert lines[2].endswith(
        "the file may be damaged, or need more memory than refman allows one PDF."
    )
    assert peak_mb < MAX_RSS_MB
    # refman goes on: the article after it was read, and the library answers.
    found = refman(library_path, "list", "--query", "heart failure programmes", "--json")
    assert [json.loads(line)["in_pdf"] for line in found.stdout.splitlines()] == [True]
    again = refman(library_path, "attach", item, ARTICLE)  # not tried again at each attach
    assert again.stdout == f"Attached 1 file to item {item}.\nRead the text of 1 PDF.\n"


def test_a_pdf_past_the_time_bound_is_stopped_and_told(library_path, tmp_path):
    pdf = tmp_path / "slow.pdf"
    write_huge_page_pdf(pdf, stream_bytes=BIG, words="zymurgical kettle boils")
    with Library(library_path) as library:
        item = library.items.add(Reference(title="Slow"))[0]
        library.attachments.attach(item, [pdf, ARTICLE])
        report = library.attachments.read_text(timeout=1.0)  # far less than PDFium needs
        ((name, why),) = report.failed
        assert name == pdf.name
        assert why.startswith("not read: Reading ") and why.endswith(
            "took longer than 1 seconds; it was stopped. The PDF may be damaged or very large."
        )
        assert report.indexed == [ARTICLE.name]  # a new reader went on with the next PDF
        assert not multiprocessing.active_children()  # the stopped reader is gone


@pytest.mark.parametrize("kill_after", [0.0, 1.0])
def test_a_reader_killed_mid_read_is_told_and_refman_goes_on(library_path, tmp_path, kill_after):
    """SIGKILL to the reading child (a PDF library crash looks the same to refman): that PDF
    is told as not read, the next is read by a new child, and the library keeps working."""
    pdf = tmp_path / "killed.pdf"
    write_huge_page_pdf(pdf, stream_bytes=50 * MB, words="zymurgical kettle boils")
    killed: list[int] = []

    def kill_the_reader() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for child in multiprocessing.active_children():
                time.sleep(kill_after)
                child.kill()  # SIGKILL
                killed.append(child.pid or 0)
                return
            time.sleep(0.01)

    with Library(library_path) as library:
        item = library.items.add(Reference(title="Killed"))[0]
        library.attachments.attach(item, [pdf, ARTICLE])
        killer = threading.Thread(target=kill_the_reader)
        killer.start()
        report = library.attachments.read_text()
        killer.join()
        assert killed
        ((name, why),) = report.failed
        assert name == pdf.name
        assert f"(exit -{signal.SIGKILL.value})" in why
        assert "The PDF library stopped while reading" in why
        assert report.indexed == [ARTICLE.name]
        assert library.items.search(ViewQuery(text="programmes")) == [item]
        rows = {row.name: row.text_state for row in library.attachments.of([item])[item]}
        assert rows[pdf.name] == why and rows[ARTICLE.name] == "indexed"

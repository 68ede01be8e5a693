"""read_pdf: real articles read in a child process; every way a PDF can fail, told plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from refman.pdf import PdfError, read_pdf
from refman.pdf.extract import read_pdfs

PDFS = Path(__file__).parents[2] / "data" / "pdf"


def test_an_article_gives_its_pages_text_count_and_metadata():
    pdf = read_pdf(PDFS / "rehabil-res-pract-2010-hindawi.pdf")
    assert pdf.page_count == 6 and len(pdf.pages) == 6
    assert "Patient Experiences of Structured Heart Failure Programmes" in " ".join(
        pdf.pages[0].split()
    )
    assert pdf.has_text_layer and not pdf.truncated
    assert "\r" not in pdf.text


def test_max_pages_reads_only_the_first_pages_and_says_so():
    pdf = read_pdf(PDFS / "postgrad-med-j-2010-bmj.pdf", max_pages=2)
    assert pdf.page_count == 7 and len(pdf.pages) == 2 and pdf.truncated


def test_text_beyond_the_size_bound_is_left_out_and_said():
    pdf = read_pdf(PDFS / "postgrad-med-j-2010-bmj.pdf", max_chars=1000)
    assert len(pdf.text) <= 1000 + 2 * len(pdf.pages) and pdf.truncated


@pytest.mark.parametrize("name", ["neg-scanned-image-only.pdf", "neg-scanned-ccitt-page.pdf"])
def test_a_scanned_pdf_has_no_text_layer(name):
    pdf = read_pdf(PDFS / name)
    assert pdf.page_count == 1 and not pdf.has_text_layer


def test_a_pdf_with_only_an_owner_password_is_read():
    pdf = read_pdf(PDFS / "neg-encrypted-owner-password-only.pdf")
    assert pdf.page_count == 2 and pdf.pages[0].startswith("Paper Title")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("neg-encrypted-user-password.pdf", "is locked with a password"),
        ("neg-broken-damaged-xref.pdf", "is damaged: the PDF library cannot open it"),
        ("neg-not-a-pdf.pdf", "is not a PDF: it does not begin as a PDF file does"),
    ],
)
def test_a_pdf_that_cannot_be_read_says_why(name, says):
    with pytest.raises(PdfError, match=says) as raised:
        read_pdf(PDFS / name)
    assert name in str(raised.value)


def test_a_missing_file_and_a_folder_are_told(tmp_path):
    with pytest.raises(PdfError, match="is not there any more"):
        read_pdf(tmp_path / "gone.pdf")
    with pytest.raises(PdfError, match="is a folder"):
        read_pdf(tmp_path)


def test_a_pdf_that_takes_too_long_is_stopped():
    with pytest.raises(PdfError, match="took longer than 0 seconds; it was stopped"):
        read_pdf(PDFS / "postgrad-med-j-2010-bmj.pdf", timeout=0.001)


def test_a_pdf_library_that_runs_out_of_memory_ends_only_its_own_process():
    # An address space of 1 MiB is too little to load PDFium: the child
    # fails, and refman's own process goes on and can read the next PDF.
    with pytest.raises(PdfError, match="The PDF library stopped while reading"):
        read_pdf(PDFS / "postgrad-med-j-2010-bmj.pdf", memory=1024 * 1024)
    assert read_pdf(PDFS / "postgrad-med-j-2010-bmj.pdf", max_pages=1).page_count == 7


def test_many_pdfs_are_read_in_order_with_each_failure_in_its_place():
    names = [
        "rehabil-res-pract-2010-hindawi.pdf",
        "neg-not-a-pdf.pdf",
        "neg-encrypted-user-password.pdf",
        "neg-scanned-image-only.pdf",
        "postgrad-med-j-2010-bmj.pdf",
    ]
    found = list(read_pdfs([PDFS / name for name in names], max_pages=1))
    assert [path.name for path, _ in found] == names
    kinds = [type(result).__name__ for _, result in found]
    assert kinds == ["PdfText", "PdfError", "PdfError", "PdfText", "PdfText"]
    assert "locked with a password" in str(found[2][1])


def test_a_pdf_that_stops_its_reader_leaves_the_others_read():
    names = ["postgrad-med-j-2010-bmj.pdf", "rehabil-res-pract-2010-hindawi.pdf"]
    # no time at all: each PDF in turn is given up, and a new reader started for the next
    found = list(read_pdfs([PDFS / name for name in names], timeout=0.001))
    assert [path.name for path, _ in found] == names
    assert all(isinstance(r, PdfError) and r.stopped for _, r in found)

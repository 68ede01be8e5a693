"""identifiers_in: the DOI (and PMID, PMCID, arXiv id) real PDFs print; a title otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from refman.pdf import PdfText, identifiers_in, read_pdf
from refman.pdf.recognise import best_doi

PDFS = Path(__file__).parents[2] / "data" / "pdf"


@pytest.mark.parametrize(
    ("name", "doi"),
    [
        ("int-psychogeriatr-2014-cambridge.pdf", "10.1017/S1041610213001804"),
        ("postgrad-med-j-2010-bmj.pdf", "10.1136/pgmj.2009.089987"),
        ("rehabil-res-pract-2010-hindawi.pdf", "10.1155/2010/157939"),
        ("j-trauma-manag-2010-bmc-doi-last-page.pdf", "10.1186/1752-2897-4-1"),
        # JSTOR's cover page names its own DOI in a link; the article's, labelled, wins
        ("mtn-res-dev-2021-jstor-cover.pdf", "10.1659/MRD-JOURNAL-D-21-00057.1"),
    ],
)
def test_the_doi_a_real_article_prints_is_found(name, doi):
    found = identifiers_in(read_pdf(PDFS / name, max_pages=3))
    assert found.doi == doi and found.identifier == doi


def test_a_pdf_without_identifiers_gets_a_title_to_show():
    found = identifiers_in(read_pdf(PDFS / "neg-encrypted-owner-password-only.pdf"))
    assert found.identifier == ""
    assert found.title.startswith("Paper Title")


def test_the_metadata_title_is_taken_when_it_reads_as_one():
    pdf = PdfText(pages=("x",), page_count=1, metadata={"Title": "Stroke  care in 2020"})
    assert identifiers_in(pdf).title == "Stroke care in 2020"
    named = PdfText(pages=("A Study of Things\nby Someone",), page_count=1,
                    metadata={"Title": "Microsoft Word - draft3.docx"})
    assert identifiers_in(named).title == "A Study of Things by Someone"


def test_pmid_pmcid_and_arxiv_ids_are_found_in_the_text_and_the_metadata():
    page = "Author manuscript; available in PMC 2015 Jan 1. PMID: 24198176\narXiv:1412.6206v3"
    found = identifiers_in(PdfText(pages=(page,), page_count=1))
    assert (found.pmid, found.pmcid, found.arxiv) == ("24198176", "", "1412.6206v3")
    assert found.identifier == "24198176"
    meta = identifiers_in(PdfText(pages=("",), page_count=1, metadata={"Subject": "PMC3876543"}))
    assert meta.pmcid == "PMC3876543"


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("see doi:10.1000/xyz123.", "10.1000/xyz123"),
        ("(https://doi.org/10.1016/S0140-6736(20)30183-5)", "10.1016/S0140-6736(20)30183-5"),
        ("cited 10.1038/nature01, then DOI 10.1126/sci.169.635;", "10.1126/sci.169.635"),
        ("https://www.jstor.org/stable/10.2307/48635686?seq=1&cid=pdf-", "10.2307/48635686"),
        ("no identifier here", ""),
    ],
)
def test_a_doi_is_cut_where_the_sentence_goes_on_and_labelled_ones_win(text, doi):
    assert best_doi(text) == doi

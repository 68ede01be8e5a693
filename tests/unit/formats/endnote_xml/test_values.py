"""EndNote XML values: styled text, names, dates, identifiers."""

from __future__ import annotations

import pytest
from lxml import etree

from refman.formats.endnote_xml import values
from refman.model import AUTHOR, EDITOR, Creator, Issn, PartialDate


def element(xml: str):
    return etree.fromstring(xml)


def test_the_text_of_style_runs_is_joined_and_white_space_made_single():
    title = element(
        '<title><style face="normal">Plain </style><style face="bold">Bold</style>'
        '<style face="italic">  and\n italic</style></title>'
    )
    assert values.text(title) == "Plain Bold and italic"


def test_a_run_in_the_symbol_font_is_read_as_the_greek_letters_endnote_shows():
    title = element(
        '<title><style font="default">TGF-</style><style font="Symbol" charset="2">b</style>'
        '<style font="default"> and IFN-</style><style font="symbol">g</style>'
        '<style font="Symbol"> \xb3 </style><style font="default">2 ab</style></title>'
    )
    assert values.text(title) == "TGF-β and IFN-γ ≥ 2 ab"


def test_greek_already_in_unicode_stays_as_it_is_in_the_symbol_font():
    assert values.text(element('<title><style font="Symbol">αβ</style></title>')) == "αβ"


def test_lines_of_a_field_are_kept_apart_and_blank_ones_dropped():
    isbn = element("<isbn>0028-0836 (Print)\r\n\n  1476-4687 (Electronic)</isbn>")
    assert values.lines(isbn) == ["0028-0836 (Print)", "1476-4687 (Electronic)"]
    assert values.text(None) == "" and values.lines(None) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ahlquist, John S", Creator("Ahlquist", "John S")),
        ("Fisher, J. O.", Creator("Fisher", "J. O.")),
        ("Van Dan Elzen, Hans", Creator("Van Dan Elzen", "Hans")),
        ("Author, Test Jr.", Creator("Author", "Test Jr")),
        ("Hellinger, Frank R., Jr.", Creator("Hellinger", "Frank R. Jr")),
        ("J. O. Fisher", Creator("Fisher", "J. O.")),
        ("Madonna", Creator("Madonna")),
        ("World Health Organization,", Creator(literal="World Health Organization")),
        ("  Kingsbury,\n  Noël ", Creator("Kingsbury", "Noël")),
    ],
)
def test_names_are_read_as_endnote_reads_them(name, expected):
    assert values.creator(name, AUTHOR) == expected


def test_a_blank_name_and_endnotes_et_al_are_no_creator_and_the_role_is_kept():
    assert values.creator(" , ", AUTHOR) is None
    assert values.creator("et al.,", AUTHOR) is None
    assert values.creator("and others,", AUTHOR) is None
    assert values.creator("Hall, Peter A", EDITOR) == Creator("Hall", "Peter A", role=EDITOR)


@pytest.mark.parametrize(
    ("year", "pub_date", "expected"),
    [
        ("2009", "", PartialDate(2009, text="2009")),
        ("", "", PartialDate()),
        ("2012", "Jan 15", PartialDate(2012, 1, 15, "2012 Jan 15")),
        ("2012", "15 January", PartialDate(2012, 1, 15, "2012 January 15")),
        ("2012", "Sep-Oct", PartialDate(2012, 9, None, "2012 Sep-Oct", "Sep-Oct")),
        ("2013", "Winter", PartialDate(2013, text="2013 Winter", season="Winter")),
        ("2011", "2011-12-01", PartialDate(2011, 12, 1, "2011-12-01")),
        ("2011", "12/01/2011", PartialDate(2011, 12, 1, "12/01/2011")),
        ("2011", "Dec 2011", PartialDate(2011, 12, None, "Dec 2011")),
        ("", "March", PartialDate(None, text="March", season="")),
        ("In press", "", PartialDate(None, text="In press")),
    ],
)
def test_dates_join_the_year_and_the_publication_date(year, pub_date, expected):
    assert values.date(year, pub_date) == expected


def test_issns_keep_their_labels_and_each_is_kept_once():
    lines = ["0028-0836 (Print)", "1476-4687 (Electronic)", "0028-0836 (Linking)", "00280836"]
    assert values.issns(lines) == (Issn("0028-0836", "Print"), Issn("1476-4687", "Electronic"))
    assert values.issns(["0881929115"]) == ()


@pytest.mark.parametrize(
    ("lines", "isbn"),
    [
        (["0881929115"], "0881929115"),
        (["978-0-19-920648-3 (pbk.)", "0199206481"], "978-0-19-920648-3 (pbk.); 0199206481"),
        (["0028-0836 (Print)"], ""),
        (["WO2011US30214"], ""),  # a patent number
        (["RAND-TR-123"], ""),  # a report number
    ],
)
def test_the_isbn_field_is_an_isbn_only_when_it_holds_one(lines, isbn):
    assert values.isbn(lines) == isbn


@pytest.mark.parametrize(
    ("lines", "doi"),
    [
        (["10.1038/nature12373"], "10.1038/nature12373"),
        (["doi:10.1038/nature12373."], "10.1038/nature12373"),
        (["https://doi.org/10.1016/S0140-6736(20)30183-5"], "10.1016/S0140-6736(20)30183-5"),
        (["S0140-6736(20)30183-5 [pii]", "10.1016/x.y [doi]"], "10.1016/x.y"),
        (["10.1016/not.a.doi [pii]"], ""),
        (["PMC1234567"], ""),
    ],
)
def test_the_doi_is_found_among_the_electronic_resource_numbers(lines, doi):
    assert values.doi(lines) == doi


def test_an_accession_number_is_a_pmid_only_from_pubmed():
    assert values.pmid("23456789", ["PubMed", "NLM"]) == "23456789"
    assert values.pmid("23456789", ["", "NLM"]) == "23456789"
    assert values.pmid("23456789", ["MEDLINE", ""]) == "23456789"
    assert values.pmid("000312345600012", ["Web of Science", "Clarivate"]) == ""
    assert values.pmid("WOS:000312345600012", ["PubMed", ""]) == ""
    assert values.pmid("23456789", ["", ""]) == ""


def test_the_pmcid_is_found_among_the_custom_fields():
    assert values.pmcid(["", "PMC3456789", ""]) == "PMC3456789"
    assert values.pmcid(["NIHMS123456", "see PMC3456789"]) == ""

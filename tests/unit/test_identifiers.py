"""refman.identifiers: identifiers found in pasted text, each named with its kind and value."""

import pytest

from refman.identifiers import (
    ARXIV,
    DOI,
    ISBN,
    PMCID,
    PMID,
    Identifier,
    Unrecognised,
    find_identifiers,
    identify,
    isbn13,
    isbn_valid,
)


def kinds_values(text):
    return [
        (found.kind, found.value) if isinstance(found, Identifier) else ("?", found.text)
        for found in find_identifiers(text)
    ]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("37144409", PMID, "37144409"),
        ("PMID: 37144409", PMID, "37144409"),
        ("PMID:37144409", PMID, "37144409"),
        ("pmid 37144409", PMID, "37144409"),
        ("https://pubmed.ncbi.nlm.nih.gov/37144409/", PMID, "37144409"),
        ("pubmed.ncbi.nlm.nih.gov/37144409", PMID, "37144409"),
        ("https://pubmed.ncbi.nlm.nih.gov/37144409/?from_term=x", PMID, "37144409"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/37144409", PMID, "37144409"),
        ("PMC1234567", PMCID, "PMC1234567"),
        ("pmc1234567", PMCID, "PMC1234567"),
        ("PMCID: PMC1234567", PMCID, "PMC1234567"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/", PMCID, "PMC1234567"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/", PMCID, "PMC1234567"),
        ("10.1038/nature12373", DOI, "10.1038/nature12373"),
        ("doi:10.1038/NATURE12373", DOI, "10.1038/nature12373"),
        ("DOI: 10.1038/nature12373", DOI, "10.1038/nature12373"),
        ("https://doi.org/10.1038/nature12373", DOI, "10.1038/nature12373"),
        ("http://dx.doi.org/10.1038/nature12373", DOI, "10.1038/nature12373"),
        ("https://doi.org/10.1002/(SICI)1097-4636%2819990615%2945", DOI,
         "10.1002/(sici)1097-4636(19990615)45"),
        ("10.1016/S0140-6736(20)30183-5", DOI, "10.1016/s0140-6736(20)30183-5"),
        ("978-0-306-40615-7", ISBN, "9780306406157"),
        ("9780306406157", ISBN, "9780306406157"),
        ("0-306-40615-2", ISBN, "9780306406157"),
        ("ISBN 0-8044-2957-X", ISBN, "9780804429573"),
        ("ISBN-13: 978-0-306-40615-7", ISBN, "9780306406157"),
        ("ISBN 978 0 306 40615 7", ISBN, "9780306406157"),
        ("2101.00001", ARXIV, "2101.00001"),
        ("arXiv:2101.00001v2", ARXIV, "2101.00001v2"),
        ("1501.0001", ARXIV, "1501.0001"),
        ("hep-th/9901001", ARXIV, "hep-th/9901001"),
        ("math.GT/0309136", ARXIV, "math.GT/0309136"),
        ("https://arxiv.org/abs/2101.00001", ARXIV, "2101.00001"),
        ("https://arxiv.org/pdf/2101.00001v3.pdf", ARXIV, "2101.00001v3"),
        ("http://arxiv.org/abs/hep-th/9901001v1", ARXIV, "hep-th/9901001v1"),
    ],
)
def test_each_kind_is_found_in_its_usual_spellings(text, kind, value):
    assert kinds_values(text) == [(kind, value)]


def test_a_mix_separated_by_spaces_commas_semicolons_and_lines_keeps_its_order():
    text = (
        "37144409, PMC1234567;10.1038/nature12373\n"
        "  https://doi.org/10.1000/xyz123\r\n978-0-306-40615-7\tarXiv:2101.00001\n\n"
    )
    assert kinds_values(text) == [
        (PMID, "37144409"),
        (PMCID, "PMC1234567"),
        (DOI, "10.1038/nature12373"),
        (DOI, "10.1000/xyz123"),
        (ISBN, "9780306406157"),
        (ARXIV, "2101.00001"),
    ]


def test_the_same_identifier_given_twice_is_found_once():
    text = "37144409 PMID:37144409 https://pubmed.ncbi.nlm.nih.gov/37144409/ 0306406152 "
    text += "978-0-306-40615-7 10.1038/ABC https://doi.org/10.1038/abc"
    assert kinds_values(text) == [
        (PMID, "37144409"), (ISBN, "9780306406157"), (DOI, "10.1038/abc"),
    ]


def test_the_piece_an_identifier_came_from_is_kept():
    [found] = find_identifiers("  https://pubmed.ncbi.nlm.nih.gov/1/  ")
    assert found == Identifier(PMID, "1", "https://pubmed.ncbi.nlm.nih.gov/1/")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "not a PMID, PMCID, DOI, ISBN or arXiv id"),
        ("1234567890123456", "too long for a PMID"),
        ("978-0-306-40615-8", "not a valid ISBN (check digit)"),
        ("ISBN 978-0-306-40615-8", "not a valid ISBN"),
        ("0-306-40615-3", "not a valid ISBN"),
        ("10.1038", "not a valid DOI"),
        ("doi:nature12373", "not a valid DOI"),
        ("PMID: 12ab", "not a valid PMID"),
        ("PMID:0", "not a valid PMID"),
        ("PMC", "not a PMID"),
        ("arXiv:2113.00001", "not a valid arXiv id"),  # month 13
        ("https://example.org/37144409", "not a PMID"),
        ("١٢٣", "not a PMID"),  # Arabic-Indic digits are not a PMID
    ],
)
def test_text_that_is_no_identifier_is_reported_with_why(text, reason):
    [found] = find_identifiers(text)
    assert isinstance(found, Unrecognised)
    assert reason in found.reason


def test_bad_pieces_are_reported_among_good_ones_and_lose_nothing():
    found = find_identifiers("37144409 foo, 10.1038/x bar")
    assert [type(item).__name__ for item in found] == [
        "Identifier", "Unrecognised", "Identifier", "Unrecognised",
    ]
    assert [item.text for item in found if isinstance(item, Unrecognised)] == ["foo", "bar"]


def test_blank_text_holds_nothing():
    assert find_identifiers("") == []
    assert find_identifiers(" ,;\n\t ") == []


def test_a_lone_label_at_the_end_is_reported():
    [found] = find_identifiers("PMID:")
    assert isinstance(found, Unrecognised)


def test_a_full_stop_or_brackets_around_an_identifier_are_not_part_of_it():
    assert kinds_values("(PMID: 37144409).") == [(PMID, "37144409")]
    assert kinds_values("<https://doi.org/10.1038/nature12373>") == [
        (DOI, "10.1038/nature12373"),
    ]


def test_leading_zeros_of_a_pmid_or_pmcid_are_dropped():
    assert identify("PMID: 000123") == Identifier(PMID, "123", "PMID: 000123")
    assert identify("PMC000123").value == "PMC123"


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("0306406152", True), ("080442957X", True), ("0306406153", False),
        ("9780306406157", True), ("9790000000001", True), ("9790000000002", False),
        ("1230306406157", False),
        ("978030640615", False), ("X306406152", False),
    ],
)
def test_isbn_check_digits(digits, valid):
    assert isbn_valid(digits) is valid


def test_isbn10_converts_to_the_isbn13_with_its_own_check_digit():
    assert isbn13("0306406152") == "9780306406157"
    assert isbn13("080442957X") == "9780804429573"

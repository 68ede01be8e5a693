"""Notices (retractions, errata, expressions of concern, comments, updates, republications)
read from MEDLINE records: real records from tests/data, small made-up ones for the rest."""

import pytest

import refman.formats.medline as medline
from refman.formats.medline import corrections as n
from tests.samples import BALLOON, DATA, DUPLICATES


def records_by_pmid(path) -> dict[str, tuple]:
    found = {}
    for ref in medline.read(path):
        found[ref.pmid] = ref.source_record
    return found


def test_retracted_record_gives_retraction_erratum_and_comment_with_pmids():
    record = records_by_pmid(DATA / "import" / "pubmedxml" / "corrections.nbib")["39000001"]
    found = medline.notices(record)
    by_tag = {notice.tag: notice for notice in found}
    assert by_tag["RIN"] == n.Notice(
        n.RETRACTED, True, "J Example Stud. 2021;14(2):50", "39000004", "RIN"
    )
    assert by_tag["EIN"].kind == n.ERRATUM and by_tag["EIN"].pmid == "39000002"
    assert by_tag["CIN"].kind == n.COMMENT and by_tag["CIN"].citation.endswith("1-2")
    # The PT line adds nothing when the RIN line is there.
    assert [notice.tag for notice in found] == ["CIN", "EIN", "RIN"]
    assert medline.flags(found) == ("retracted", "erratum")


def test_errata_in_real_shaped_records():
    records = records_by_pmid(DUPLICATES / "errata.nbib")
    (notice,) = medline.notices(records["99200001"])
    assert notice.kind == n.ERRATUM and notice.about_this
    assert notice.citation == "Sci Rep. 2021 Nov 2;11(1):21457."
    assert notice.pmid == "99200010"
    assert medline.flags([notice]) == ("erratum",)


def test_comment_in_and_comment_on_in_pubmed_records():
    records = records_by_pmid(BALLOON)
    (comment_in,) = medline.notices(records["26789499"])
    assert (comment_in.kind, comment_in.about_this, comment_in.pmid) == (
        n.COMMENT,
        True,
        "28723284",
    )
    (comment_on,) = medline.notices(records["28723284"])
    assert (comment_on.kind, comment_on.about_this, comment_on.pmid) == (
        n.COMMENT,
        False,
        "26789499",
    )
    # Comments are shown but are not flags a reader must be warned of.
    assert medline.flags([comment_in, comment_on]) == ()


def test_records_without_notices_give_none():
    records = records_by_pmid(BALLOON)
    assert medline.notices(records["30776994"]) == ()
    assert medline.notices(()) == ()


@pytest.mark.parametrize(
    ("tag", "kind", "about_this"),
    [
        ("RIN", n.RETRACTED, True),
        ("ROF", n.RETRACTION_NOTICE, False),
        ("EIN", n.ERRATUM, True),
        ("EFR", n.ERRATUM, False),
        ("ECI", n.CONCERN, True),
        ("ECF", n.CONCERN, False),
        ("CIN", n.COMMENT, True),
        ("CON", n.COMMENT, False),
        ("UIN", n.UPDATE, True),
        ("UOF", n.UPDATE, False),
        ("RPI", n.REPUBLISHED, True),
        ("RPF", n.REPUBLISHED, False),
    ],
)
def test_each_linking_tag(tag, kind, about_this):
    record = (("PMID", "1"), ("TI", "A title."), (tag, "J Neurosurg. 2020;1:2. PMID: 12345"))
    (notice,) = medline.notices(record)
    assert notice == n.Notice(kind, about_this, "J Neurosurg. 2020;1:2.", "12345", tag)
    assert notice.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/12345/"


def test_only_notices_about_the_item_flag_it():
    # A retraction notice, an erratum and an expression of concern are not flagged
    # themselves: they are the notices, not the items the notices are about.
    record = (("ROF", "X. PMID: 1"), ("EFR", "Y. PMID: 2"), ("ECF", "Z. PMID: 3"))
    assert medline.flags(medline.notices(record)) == ()
    record = (("ECI", "Z. PMID: 3"), ("EIN", "Y. PMID: 2"), ("RIN", "X. PMID: 1"))
    assert medline.flags(medline.notices(record)) == ("retracted", "concern", "erratum")


def test_publication_type_alone_gives_a_notice_without_citation():
    record = (("PMID", "1"), ("PT", "Journal Article"), ("PT", "Retracted Publication"))
    (notice,) = medline.notices(record)
    assert notice == n.Notice(n.RETRACTED, True, "", "", "PT")
    assert notice.describe() == "Retracted"
    assert notice.pubmed_url == ""
    assert medline.flags([notice]) == ("retracted",)
    record = (("PMID", "2"), ("PT", "Retraction of Publication"))
    (notice,) = medline.notices(record)
    assert (notice.kind, notice.about_this) == (n.RETRACTION_NOTICE, False)


@pytest.mark.parametrize(
    ("value", "citation", "pmid"),
    [
        ("J Neurosurg. 2020;1:2. PMID: 12345", "J Neurosurg. 2020;1:2.", "12345"),
        ("Stroke. 2014 May;45(5):e86", "Stroke. 2014 May;45(5):e86", ""),
        ("PMID: 777", "", "777"),
        ("Lancet. 2001;2:3. PMID 42 [Note: see also]", "Lancet. 2001;2:3. [Note: see also]", "42"),
        ("  ", "", ""),
        ("Acta. PMIDX 12", "Acta. PMIDX 12", ""),
    ],
)
def test_parse_value(value, citation, pmid):
    assert n.parse_value(value) == (citation, pmid)


def test_describe_says_kind_citation_and_pmid():
    notice = n.Notice(n.CONCERN, True, "BMJ. 2020;1:1.", "99", "ECI")
    assert notice.describe() == "Expression of concern in: BMJ. 2020;1:1. (PMID 99)"
    notice = n.Notice(n.UPDATE, False, "Cochrane. 2019.", "", "UOF")
    assert notice.describe() == "Update of: Cochrane. 2019."


def test_a_citation_led_by_the_links_name_loses_it():
    # As some records give it: "RIN - Retraction in: Lancet. 2010 ... PMID: 20137807".
    assert n.parse_value("Retraction in: Lancet. 2010;375:445. PMID: 20137807") == (
        "Lancet. 2010;375:445.",
        "20137807",
    )
    assert n.parse_value("Erratum for: BMJ. 2001;1:2") == ("BMJ. 2001;1:2", "")
    assert n.parse_value("Retraction Watch. 2020;1:1") == (
        "Retraction Watch. 2020;1:1",
        "",
    )

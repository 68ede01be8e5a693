"""PubMed XML files to references: Zotero's cases, the same records read as MEDLINE, what the
XML keeps beyond MEDLINE, and bad input."""

import io
import json
import re
from dataclasses import fields

import pytest

from refman import formats
from refman.formats import medline, pubmed_xml
from refman.formats.pubmed_xml import read
from refman.formats.xml_input import element_from_text
from refman.model import (
    BOOK,
    CHAPTER,
    EDITOR,
    Creator,
    Issn,
    MeshQualifier,
    ParseError,
    PartialDate,
    Problem,
    Tag,
)
from tests.samples import DATA, SEED_FILE

XML = DATA / "import" / "pubmedxml"
ZOTERO_CASES = sorted(p.stem for p in XML.glob("zotero-pubmedxml-*.xml"))


def read_file(path, name="in.xml"):
    problems: list[Problem] = []
    with open(path, "rb") as stream:
        refs = [
            ref
            for _, ref in pubmed_xml.read_numbered(stream, name=name, on_problem=problems.append)
        ]
    return refs, problems


def read_bytes(data: bytes, name="in.xml"):
    problems: list[Problem] = []
    stream = io.BytesIO(data)
    pairs = list(pubmed_xml.read_numbered(stream, name=name, on_problem=problems.append))
    return pairs, problems


# --- Zotero's reading of the same files -------------------------------------------------------

ZOTERO_TYPES = {"journalArticle": "article-journal", "book": BOOK, "preprint": "article"}
ZOTERO_TEXT_FIELDS = ("title", "volume", "issue", "language", "publisher", "place", "DOI", "ISBN")


def initials_free(given: str) -> str:
    """Zotero writes initials with periods (Peter O.), PubMed without (Peter O)."""
    return given.replace(".", "").replace(" ", "")


def zotero_view(ref) -> dict:
    """The reference in the terms of Zotero's expected JSON, where refman agrees with Zotero."""
    return {
        "itemType": ref.item_type,
        "title": ref.title,
        "volume": ref.volume,
        "issue": ref.issue,
        "language": ref.language.lower(),
        "publisher": ref.publisher,
        "place": ref.place,
        "DOI": ref.doi,
        "ISBN": ref.isbn,
        "creators": [(c.family or c.literal, initials_free(c.given), c.role) for c in ref.creators],
        # refman writes a superscript as PubMed's MEDLINE does, R(2); Zotero runs it in: R2.
        "abstractNote": re.sub(r"\((\d)\)", r"\1", ref.abstract),
        "date": (ref.date.year, ref.date.month, ref.date.day),
        "tags": sorted(t.name for t in ref.tags),
    }


def zotero_expected(item: dict) -> dict:
    date = re.match(r"(\d{4})(?:-(\d\d))?(?:-(\d\d))?", item["date"])
    month = {"Sep-Oct": 9}.get(item["date"][5:], int(date[2]) if date[2] else None)
    return {
        "itemType": ZOTERO_TYPES[item["itemType"]],
        **{key: item.get(key, "") for key in ZOTERO_TEXT_FIELDS},
        # refman drops the period PubMed closes every title with; Zotero drops it too.
        "title": medline.clean_title(item["title"]),
        "language": item.get("language", "").lower(),
        # Zotero takes a journal's place from its title's parentheses; refman keeps the
        # journal's title whole and no place for an article (checked in the test below).
        "place": item.get("place", "") if item["itemType"] == "book" else "",
        "creators": [
            (c["lastName"], initials_free(c.get("firstName", "")), c["creatorType"])
            for c in item["creators"]
        ],
        "abstractNote": " ".join(item.get("abstractNote", "").split()),
        "date": (int(date[1]), month, int(date[3]) if date[3] else None),
        "tags": sorted(t["tag"] for t in item["tags"]),
    }


@pytest.mark.parametrize("case", ZOTERO_CASES)
def test_zotero_cases_give_what_zotero_gives_where_refman_agrees(case):
    refs, problems = read_file(XML / f"{case}.xml")
    expected = json.loads((XML / f"{case}.expected.json").read_text("utf-8"))
    assert problems == []
    assert [zotero_view(r) for r in refs] == [zotero_expected(item) for item in expected]


@pytest.mark.parametrize("case", ZOTERO_CASES)
def test_zotero_cases_keep_the_ids_and_issns_zotero_gives(case):
    refs, _ = read_file(XML / f"{case}.xml")
    for ref, item in zip(
        refs, json.loads((XML / f"{case}.expected.json").read_text()), strict=True
    ):
        extra = dict(re.findall(r"(PMID): (\S+)", item.get("extra", "")))
        assert item.get("PMID", extra.get("PMID", ref.pmid)) == ref.pmid
        assert item.get("PMCID", ref.pmcid) == ref.pmcid
        assert not item.get("ISSN") or item["ISSN"] in [i.value for i in ref.issns]


def test_zotero_drops_mesh_stars_and_qualifiers_refman_keeps_them():
    """zotero-pubmedxml-08: Zotero's tags are bare descriptors ("Gait"); PubMed says Gait is a
    major topic, with the physiology qualifier."""
    (ref,), _ = read_file(XML / "zotero-pubmedxml-08.xml")
    gait = next(t for t in ref.tags if t.name == "Gait")
    assert gait == Tag("Gait", "mesh", False, (MeshQualifier("physiology", True),))
    assert Tag("Machine Learning", "mesh", True) in ref.tags
    assert ref.abstract.startswith("OBJECTIVE: The relationship between")


def test_zotero_runs_superscripts_into_the_text_refman_marks_them():
    """zotero-pubmedxml-08: Zotero's abstract says "mm3 /year" and "R2 = 0.81" for mm<sup>3</sup>
    and R<sup>2</sup>; refman writes them as PubMed's MEDLINE does."""
    (ref,), _ = read_file(XML / "zotero-pubmedxml-08.xml")
    assert "(mm(3) /year)" in ref.abstract
    assert "R(2) = 0.81" in ref.abstract


def test_zotero_loses_the_pmid_of_preprints_refman_keeps_it():
    """zotero-pubmedxml-09 to 11: Zotero makes preprints without their PMID and PMCID."""
    refs = [read_file(XML / f"zotero-pubmedxml-{n}.xml")[0][0] for n in ("09", "10", "11")]
    assert [(r.item_type, r.pmid, r.pmcid) for r in refs] == [
        ("article", "36798302", "PMC9934598"),
        ("article", "37064529", "PMC10104197"),
        ("article", "37398060", "PMC10312949"),
    ]
    assert refs[0].container_title == "bioRxiv : the preprint server for biology"


def test_zotero_makes_a_pii_the_pages_refman_does_not():
    """zotero-pubmedxml-07: "EWLS" is the publisher's item identifier, not a page. Zotero also
    loses the print ISSN; the title is the Swedish one, as PubMed has no English title."""
    (ref,), _ = read_file(XML / "zotero-pubmedxml-07.xml")
    assert ref.pages == ""
    assert ref.title.startswith("Psykisk ohälsa, radikalisering och terrorism")
    assert ref.issns == (Issn("1652-7518", "Electronic"), Issn("0023-7205", "Linking"))


def test_zotero_capitalises_journal_titles_refman_keeps_nlms():
    """zotero-pubmedxml-08: Zotero writes "Arthritis & Rheumatology" and a place "Hoboken,
    N.J." taken out of the title; refman keeps the journal's title as NLM gives it."""
    (ref,), _ = read_file(XML / "zotero-pubmedxml-08.xml")
    assert ref.container_title == "Arthritis & rheumatology (Hoboken, N.J.)"
    assert ref.container_title_short == "Arthritis Rheumatol"
    assert ref.place == ""


# --- the same records read as MEDLINE ---------------------------------------------------------


def differences(a, b) -> dict:
    return {
        f.name: (getattr(a, f.name), getattr(b, f.name))
        for f in fields(a)
        if f.name not in ("source_format", "source_record")
        and getattr(a, f.name) != getattr(b, f.name)
    }


def test_the_seed_read_as_xml_equals_its_medline_record_but_for_pubmeds_ascii():
    """PMID 37144409 as PubMed's MEDLINE (the seed) and as its XML: the references are equal
    field by field, except that MEDLINE spells ≥ as >/= and © as (c), where XML keeps them."""
    (xml_ref,), problems = read_file(XML / "seed-37144409.xml")
    (medline_ref,) = medline.read(SEED_FILE)
    assert problems == []
    diff = differences(xml_ref, medline_ref)
    assert list(diff) == ["abstract"]
    assert diff["abstract"][0].replace("≥", ">/=") == medline_ref.abstract
    assert xml_ref.source_format == "pubmed-xml"


def test_the_seed_gives_pubmeds_medline_lines_but_so():
    (xml_ref,), _ = read_file(XML / "seed-37144409.xml")
    (medline_ref,) = medline.read(SEED_FILE)
    lines = medline_fields_of(xml_ref)
    ascii_lines = [(t, v.replace("≥", ">/=").replace("©", "(c)")) for t, v in lines]
    assert ascii_lines == [line for line in medline_ref.source_record if line[0] != "SO"]


def medline_fields_of(ref):
    return read.medline_fields(element_from_text(ref.source_record[0][1]))


def test_a_record_with_every_part_equals_its_medline_form():
    """corrections.xml holds PubMed's parts the samples lack (a structured abstract, ORCIDs,
    two affiliations, a suffix, a group, an invalid author and DOI, corrections, grants,
    keywords, PMC and NIHMS ids, a book chapter); corrections.nbib is the same article laid
    out as PubMed's MEDLINE, and tests/data/medline/book_chapter.nbib the same chapter."""
    (article, chapter), problems = read_file(XML / "corrections.xml")
    (medline_article,) = medline.read(XML / "corrections.nbib")
    (medline_chapter,) = medline.read(DATA / "medline" / "book_chapter.nbib")
    assert problems == []
    assert differences(article, medline_article) == {}
    assert differences(chapter, medline_chapter) == {}


def test_every_part_of_an_article_is_kept():
    (article, _), _ = read_file(XML / "corrections.xml")
    assert article.title == "Calcium (Ca(2+)) signalling in Drosophila motor neurons"
    assert article.abstract == (
        "BACKGROUND: Calcium matters. METHODS: We imaged 10(6) cells. "
        "CONCLUSIONS: It still matters."
    )
    assert article.creators == (
        Creator(
            "Müller",
            "Anna-Lena",
            affiliations=(
                "Department of Neuroscience, Example University, Berlin, Germany.",
                "Example Institute, Potsdam, Germany.",
            ),
            ids=("ORCID: 0000-0002-1825-0097",),
        ),
        Creator("Smith", "John Jr"),
        Creator(literal="Example Calcium Imaging Consortium"),
    )
    assert (article.doi, article.pmcid, article.pages) == (
        "10.1000/jes.2019.0042",
        "PMC7000001",
        "101-109",
    )
    assert article.date == PartialDate(2019, 9, None, "2019 Sep-Oct", "Sep-Oct")
    assert article.publication_types == ("Journal Article", "Retracted Publication")
    assert (
        Tag("Neurons", "mesh", True, (MeshQualifier("cytology"), MeshQualifier("physiology", True)))
        in article.tags
    )
    assert Tag("calcium imaging", "keyword") in article.tags


def test_comments_and_corrections_are_kept_and_given_to_a_medline_export():
    (article, _), _ = read_file(XML / "corrections.xml")
    xml = article.source_record[0][1]
    assert article.source_record[0][0] == "PubmedArticle"
    assert 'RefType="RetractionIn"' in xml and "<ReferenceList>" in xml
    as_medline = pubmed_xml.as_medline(article)
    assert as_medline.source_format == "medline"
    lines = dict(as_medline.source_record)
    assert lines["EIN"] == "J Example Stud. 2020;13(1):5 PMID: 39000002"
    assert lines["RIN"] == "J Example Stud. 2021;14(2):50 PMID: 39000004"
    assert lines["CIN"] == "J Example Stud. 2020;13(1):1-2 PMID: 39000003"
    out = io.StringIO()
    medline.write([as_medline], out)
    assert "RIN - J Example Stud. 2021;14(2):50 PMID: 39000004" in out.getvalue()


def test_an_update_of_a_preprint_is_kept():
    (ref,), _ = read_file(XML / "zotero-pubmedxml-09.xml")
    assert dict(pubmed_xml.as_medline(ref).source_record)["UIN"].endswith("PMID: 37385249")


def test_a_reference_from_elsewhere_is_not_changed_by_as_medline():
    (ref,) = medline.read(SEED_FILE)
    assert pubmed_xml.as_medline(ref) is ref


def test_the_chapter_has_its_books_editors_and_its_own_authors():
    (_, chapter), _ = read_file(XML / "corrections.xml")
    assert chapter.item_type == CHAPTER
    assert chapter.container_title == "Cancer Syndromes"
    assert [c.role for c in chapter.creators] == [EDITOR, EDITOR, "author", "author"]


def test_records_start_on_their_lines():
    with open(XML / "zotero-pubmedxml-01.xml", "rb") as stream:
        lines = [line for line, _ in pubmed_xml.read_numbered(stream, name="x", on_problem=print)]
    assert lines == [4, 250]


def test_a_single_record_as_root_is_read():
    text = (XML / "zotero-pubmedxml-04.xml").read_text("utf-8")
    record = text[text.index("<PubmedArticle>") : text.index("</PubmedArticleSet>")]
    (pair,), problems = read_bytes(record.encode())
    assert pair[1].pmid == "20729678" and problems == []


# --- bad input ----------------------------------------------------------------------------------


def test_a_record_with_neither_title_nor_pmid_is_a_problem_and_skipped():
    data = (
        b"<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><Article/></MedlineCitation>"
        b"</PubmedArticle>\n<PubmedArticle><MedlineCitation><PMID>7</PMID>"
        b"<Article><ArticleTitle>Kept.</ArticleTitle></Article></MedlineCitation>"
        b"</PubmedArticle>\n</PubmedArticleSet>\n"
    )
    pairs, problems = read_bytes(data)
    assert [(line, ref.pmid, ref.title) for line, ref in pairs] == [(3, "7", "Kept")]
    assert problems == [
        Problem("in.xml", 2, "this PubmedArticle has no title and no PMID and was skipped")
    ]


def test_a_truncated_file_keeps_the_records_before_the_cut():
    data = (XML / "zotero-pubmedxml-01.xml").read_bytes()
    cut = data[: data.index(b"<PMID", data.index(b"18157123") - 100)]
    pairs, problems = read_bytes(cut)
    assert [ref.pmid for _, ref in pairs] == ["18157122"]
    (problem,) = problems
    assert problem.line and problem.line > 250
    assert "ends in the middle of a record" in problem.message


def test_utf16_with_a_bom_is_read():
    text = (XML / "zotero-pubmedxml-07.xml").read_text("utf-8")
    text = text.replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
    (pair,), problems = read_bytes(text.encode("utf-16"))
    assert pair[1].title.startswith("Psykisk ohälsa") and problems == []


@pytest.mark.parametrize(
    "sample, root",
    [
        ("biopython-efetch_pmc.xml", "pmc-articleset"),
        ("biopython-esearch1.xml", "eSearchResult"),
        ("biopython-esummary1.xml", "eSummaryResult"),
        ("zotero-crossref-unixref-01.xml", "doi_records"),
    ],
)
def test_other_ncbi_xml_is_refused_in_plain_words(sample, root):
    with pytest.raises(
        ParseError, match=f"it is XML, but not PubMed XML: its root element is <{root}>"
    ):
        read_bytes((XML / "not-pubmed" / sample).read_bytes())


def test_entities_are_refused_before_any_record():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY a "aaaaaaaaaa">\n'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<PubmedArticleSet><PubmedArticle>'
        b"<MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&b;</ArticleTitle></Article>"
        b"</MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )
    with pytest.raises(ParseError, match="declares XML entities"):
        read_bytes(bomb)


def test_the_medline_export_writes_the_xml_record_with_edited_fields_replaced():
    """The registry's MEDLINE writer: an item read from PubMed XML is written as PubMed's
    MEDLINE of its XML (corrections, history, ids), the fields edited since replaced."""
    (article, _), _ = read_file(XML / "corrections.xml")
    (seed,) = medline.read(SEED_FILE)
    edited = article.with_changes(title="A better title", volume="13")
    out = io.StringIO()
    formats.FORMATS["medline"].writer([edited, seed], out)
    written = out.getvalue()
    assert "RIN - J Example Stud. 2021;14(2):50 PMID: 39000004" in written
    assert "MID - NIHMS1000001" in written and "AUID- ORCID: 0000-0002-1825-0097" in written
    assert "TI  - A better title" in written and "VI  - 13" in written
    assert "Calcium (Ca(2+))" not in written
    again = list(medline.read_text(written))
    assert differences(again[0], edited) == {}
    assert differences(again[1], seed) == {}

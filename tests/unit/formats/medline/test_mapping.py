"""MEDLINE records to references (what each field becomes, checked against Zotero and the
golden files) and references back to records (only the lines behind edited fields change)."""

import json
import re
from dataclasses import asdict, replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import refman.formats.medline as medline
from refman.formats.medline.mapping import publication_types
from refman.model import (
    ARTICLE_JOURNAL,
    BOOK,
    CHAPTER,
    EDITOR,
    Creator,
    Issn,
    MeshQualifier,
    PartialDate,
    Reference,
    Tag,
)
from tests.samples import DATA
from tests.unit.formats.medline.helpers import (
    FIXTURES,
    RECORDS,
    read_all,
    references,
    text_refs,
    values,
    without_source,
    write_text,
    written_and_read,
)

# --- Zotero's reading of the same files -------------------------------------------------------


ZOTERO_TEXT_FIELDS = (
    "date",
    "ISSN",
    "issue",
    "volume",
    "pages",
    "journalAbbreviation",
    "publicationTitle",
    "bookTitle",
    "language",
    "place",
    "publisher",
)


ZOTERO_TYPES = {"journalArticle": "article-journal", "bookSection": CHAPTER, "book": BOOK}


def initials_free(given: str) -> str:
    return given.replace(".", "").replace(" ", "")


def zotero_view(ref: Reference) -> dict:
    """The reference in the terms of Zotero's expected JSON, where refman agrees with Zotero."""
    return {
        "itemType": ref.item_type,
        "title": ref.title,
        "creators": [
            (c.family, initials_free(c.given), c.role) for c in ref.creators if not c.literal
        ],
        "abstractNote": " ".join(ref.abstract.split()),
        "date": ref.date.text,
        "ISSN": ref.issns[0].value if ref.issns else "",
        "issue": ref.issue,
        "volume": ref.volume,
        "pages": ref.pages,
        "journalAbbreviation": ref.container_title_short,
        "publicationTitle": ref.container_title if ref.item_type != CHAPTER else "",
        "bookTitle": ref.container_title if ref.item_type == CHAPTER else "",
        "language": ref.language,
        "place": ref.place,
        "publisher": ref.publisher,
        "tags": sorted(t.mesh_text for t in ref.tags),
        "PMID": ref.pmid,
        "PMCID": ref.pmcid,
    }


def zotero_expected(item: dict) -> dict:
    extra = dict(re.findall(r"(PMID|PMCID): (\S+)", item.get("extra", "")))
    return {
        "itemType": ZOTERO_TYPES[item["itemType"]],
        # refman drops the period PubMed closes every title with; Zotero keeps it.
        "title": medline.clean_title(item["title"]),
        "creators": [
            (c["lastName"], initials_free(c["firstName"]), c["creatorType"])
            for c in item["creators"]
        ],
        "abstractNote": " ".join(item.get("abstractNote", "").split()),
        **{key: item.get(key, "") for key in ZOTERO_TEXT_FIELDS},
        "tags": sorted(t["tag"] for t in item["tags"]),
        "PMID": extra.get("PMID", ""),
        "PMCID": extra.get("PMCID", ""),
    }


@pytest.mark.parametrize("case", ["zotero-case-01", "zotero-case-02", "zotero-case-03"])
def test_zotero_cases_give_what_zotero_gives_where_refman_agrees(case):
    expected = json.loads((DATA / f"{case}.expected.json").read_text())
    refs = read_all(DATA / f"{case}.nbib")
    assert [zotero_view(r) for r in refs] == [zotero_expected(item) for item in expected]


def test_refman_keeps_what_zotero_drops():
    aurovertin, chapter = read_all(DATA / "zotero-case-02.nbib")
    assert aurovertin.creators[0].affiliations == (
        "Medical Research Council Laboratory of Molecular Biology, Cambridge, United Kingdom.",
    )
    assert aurovertin.issns == (Issn("0027-8424", "Print"),)
    assert aurovertin.tags[3] == Tag(
        "Aurovertins",
        "mesh",
        False,
        (MeshQualifier("chemistry", True), MeshQualifier("metabolism", True)),
    )
    assert chapter.container_title == "Cancer Syndromes"
    assert [c.role for c in chapter.creators] == [EDITOR] * 4 + ["author"] * 7


def test_et_al_is_not_an_author():
    (ref,) = read_all(DATA / "zotero-case-03.nbib")
    assert len(ref.creators) == 10
    assert ref.creators[-1] == Creator("Booker", "G W")


# --- the seed: one record whose line breaks were lost -----------------------------------------


SEED_TITLE = (
    "Safety and Efficacy of Iltamiocel Cellular Therapy for the Treatment of Fecal "
    "Incontinence. Results of a Phase 1/2 Study"
)


def test_seed_maps_every_field(seed):
    assert seed.item_type == "article-journal"
    assert seed.title == SEED_TITLE
    assert seed.container_title == "Annals of surgery"
    assert seed.container_title_short == "Ann Surg"
    assert (seed.volume, seed.issue, seed.pages) == ("278", "6", "937-944")
    assert seed.date == PartialDate(2023, 12, 1, "2023 Dec 1")
    assert seed.doi == "10.1097/SLA.0000000000005894"
    assert (seed.pmid, seed.pmcid) == ("37144409", "")
    assert seed.issns == (Issn("1528-1140", "Electronic"), Issn("0003-4932", "Linking"))
    assert seed.language == "eng"
    assert seed.place == ""  # PL "United States" is the journal's country
    assert seed.publication_types == (
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
        "Journal Article",
        "Multicenter Study",
    )
    assert (seed.source_format, seed.source_record[0]) == ("medline", ("PMID", "37144409"))


def test_seed_authors_come_in_order_with_their_affiliations(seed):
    cook = ("Cook MyoSite, Pittsburgh, PA, USA.",)
    assert seed.creators == (
        Creator(
            "Knowles",
            "Charles H",
            affiliations=(
                "Barts & the London School of Medicine & Dentistry, Queen Mary University of "
                "London, London, UK.",
            ),
        ),
        Creator("Canestrari", "Emanuele", affiliations=cook),
        Creator("Jankowski", "Ron J", affiliations=cook),
        Creator("Cardello", "Kelly", affiliations=cook),
        Creator(
            "Raval",
            "Manoj J",
            affiliations=(
                "St. Paul's Hospital, University of British Columbia, Vancouver, BC, Canada.",
            ),
        ),
    )


def test_seed_values_with_dashes_and_slashes_are_not_split(seed):
    assert seed.abstract.startswith("OBJECTIVE: To examine the safety and efficacy of iltamiocel")
    assert seed.abstract.endswith("fecal incontinence symptoms and quality of life.")
    for piece in (
        "a single iltamiocel dose of 250x10 6 cells.",
        "(-6.0; 95% confidence interval (CI): -10.0, -1.0)",
        "A >/=50% reduction in FI episodes",
        "(2.2; 95% CI:1.4, 2.9).",
    ):
        assert piece in seed.abstract
    assert values(seed, "CI") == [
        "Copyright (c) 2023 Wolters Kluwer Health, Inc. All rights reserved."
    ]


def test_seed_keeps_every_tag_of_the_record(seed):
    tags = [tag for tag, _ in seed.source_record]
    assert len(tags) == 60
    assert tags[:6] == ["PMID", "OWN", "STAT", "DCOM", "LR", "IS"]
    assert values(seed, "PHST") == [
        "2023/11/09 06:42 [medline]",
        "2023/05/05 06:42 [pubmed]",
        "2023/05/05 05:27 [entrez]",
    ]
    assert values(seed, "SO") == [
        "Ann Surg. 2023 Dec 1;278(6):937-944. doi: 10.1097/SLA.0000000000005894. Epub 2023 May 5."
    ]


def test_seed_mesh_headings_are_automatic_tags(seed):
    assert [t.mesh_text for t in seed.tags] == values(seed, "MH")
    incontinence = seed.tags[3]
    assert incontinence == Tag(
        "Fecal Incontinence", "mesh", True, (MeshQualifier("therapy", False),)
    )
    assert all(t.automatic for t in seed.tags)


def test_seed_agrees_with_the_csl_json_of_the_reference_processor(seed):
    (csl,) = json.loads((DATA / "csl" / "seed.csl.json").read_text())
    assert csl["title"] == seed.title
    assert [{"family": c.family, "given": c.given} for c in seed.creators] == csl["author"]
    assert csl["container-title"] == seed.container_title
    assert csl["container-title-short"] == seed.container_title_short
    assert (csl["volume"], csl["issue"], csl["page"]) == (seed.volume, seed.issue, seed.pages)
    assert csl["DOI"] == seed.doi and csl["PMID"] == seed.pmid
    assert csl["issued"]["date-parts"] == [[seed.date.year, seed.date.month, seed.date.day]]
    assert csl["ISSN"] == seed.issns[0].value
    assert csl["language"] == seed.language


# --- records to references --------------------------------------------------------------------


def golden(ref: Reference) -> dict:
    """A reference as its golden file holds it: the source record as MEDLINE lines."""
    data = asdict(ref)
    for name in ("id", "date_added", "date_modified", "trashed", "damage"):
        del data[name]
    data["source_record"] = [f"{tag:<4}- {value}" for tag, value in ref.source_record]
    return json.loads(json.dumps(data))


@pytest.mark.parametrize(
    "expected", sorted(FIXTURES.glob("*.expected.json")), ids=lambda p: p.name.split(".")[0]
)
def test_fixtures_read_as_their_golden_files(expected):
    source = expected.with_name(expected.name.replace(".expected.json", ".nbib"))
    assert [golden(r) for r in read_all(source)] == json.loads(expected.read_text("utf-8"))


def test_a_book_takes_its_title_from_bti():
    (book,) = read_all(FIXTURES / "book.nbib")
    assert book.item_type == BOOK
    assert book.title == "GeneReviews(R)"
    assert book.container_title == ""
    assert book.collection_title == "GeneReviews"
    assert (book.publisher, book.place, book.isbn) == (
        "University of Washington, Seattle",
        "Seattle (WA)",
        "9780000000002",
    )
    assert book.creators == (
        Creator("Adam", "Margaret P", role=EDITOR),
        Creator("Feldman", "Jerry", role=EDITOR),
    )


def test_a_book_chapter_has_its_book_editors_publisher_and_place():
    (chapter,) = read_all(FIXTURES / "book_chapter.nbib")
    assert chapter.item_type == CHAPTER  # the PT that decides is not the first one
    assert chapter.title == "Peutz-Jeghers Syndrome"
    assert chapter.container_title == "Cancer Syndromes"
    assert chapter.collection_title == "Cancer Syndromes Series"
    assert chapter.publisher == "National Center for Biotechnology Information (US)"
    assert (chapter.place, chapter.isbn) == ("Bethesda (MD)", "978-0-12-345678-9")
    assert chapter.creators == (
        Creator(
            "Riegert-Johnson",
            "Douglas L",
            role=EDITOR,
            affiliations=("Mayo Clinic, Jacksonville, FL.",),
        ),
        Creator("Boardman", "Lisa A", role=EDITOR),
        Creator("Riegert-Johnson", "Douglas"),
        Creator("Gleeson", "Ferga C."),
    )


def test_groups_sit_among_the_authors_with_their_own_affiliations():
    (ref,) = read_all(FIXTURES / "collective_authors.nbib")
    assert ref.creators == (
        Creator(
            "Smith",
            "Anna B",
            affiliations=(
                "Department of Medicine, University of Somewhere, Somewhere, UK.",
                "Institute of Elsewhere, Elsewhere, France.",
            ),
            ids=("ORCID: 0000-0002-1825-0097",),
        ),
        Creator(
            literal="RECOVERY Collaborative Group",
            affiliations=("Nuffield Department of Population Health, Oxford, UK.",),
        ),
        Creator("Jones", "Carl"),
        Creator(literal="ISARIC4C Investigators"),
    )
    assert ref.creators[1].display_name == "RECOVERY Collaborative Group"


def test_short_names_are_used_when_there_are_no_full_names():
    (ref,) = read_all(FIXTURES / "au_only.nbib")
    old_hospital = ("Department of Surgery, Old Hospital, Boston, MA 02115.",)
    assert ref.creators == (
        Creator("van Raaij", "MJ", affiliations=old_hospital),  # AD before the names: 1st author
        Creator("Wong Kee Song", "LM"),
        Creator("Hellinger", "FR Jr"),
    )
    assert ref.pages == "475-482"
    assert ref.date == PartialDate(1990, 4, None, "Apr 1990")


def test_ids_issns_and_pages():
    lancet, plos, link = read_all(FIXTURES / "ids.nbib")
    assert (lancet.pmid, lancet.pmcid) == ("30500001", "PMC1234567")
    assert lancet.issns == (Issn("1234-5678", "Print"), Issn("8765-4321", "Electronic"))
    assert lancet.doi == "10.1016/S0140-6736(13)00001-1"
    assert lancet.pages == "1041-1049"
    assert lancet.date == PartialDate(2013, None, None, "2013 Winter", "Winter")
    assert (plos.doi, plos.pages) == ("10.1371/journal.pone.0001042", "e1042")
    assert plos.date == PartialDate(2013, 6, 10, "2013 06 10")
    assert (link.doi, link.pages, link.date.year) == ("10.1000/xyz123", "401M-421M", 2001)


def test_mesh_headings_and_keywords():
    text = (
        "PMID- 5\nTI  - x.\nMH  - Brain/*enzymology/pathology\nMH  - *Humans\n"
        "MH  - Humans\nOT  - stroke\nOT  - thrombectomy\nOTO - NOTNLM\n"
    )
    (ref,) = text_refs(text)
    assert ref.tags == (
        Tag(
            "Brain",
            "mesh",
            False,
            (MeshQualifier("enzymology", True), MeshQualifier("pathology", False)),
        ),
        Tag("Humans", "mesh", True),
        Tag("stroke", "keyword"),
        Tag("thrombectomy", "keyword"),
    )


def test_full_names_win_over_short_names_pair_by_pair():
    text = "PMID- 5\nTI  - x.\nFAU - Doe, Jane Q\nAU  - Doe JQ\nAU  - Roe R\n"
    (ref,) = text_refs(text)
    assert ref.creators == (Creator("Doe", "Jane Q"),)


# --- references back to records: only what was edited changes ---------------------------------


def test_an_edited_field_replaces_its_tags_and_nothing_else(seed):
    edited = seed.with_changes(title="A better title", volume="279", doi="10.1/new")
    fields = medline.record_fields(edited)
    changed = [(a, b) for a, b in zip(seed.source_record, fields, strict=True) if a != b]
    assert changed == [
        (("VI", "278"), ("VI", "279")),
        (("TI", seed.source_record[10][1]), ("TI", "A better title.")),
        (("LID", "10.1097/SLA.0000000000005894 [doi]"), ("LID", "10.1/new [doi]")),
        (("AID", "10.1097/SLA.0000000000005894 [doi]"), ("AID", "10.1/new [doi]")),
    ]
    (back,) = text_refs(write_text([edited]))
    assert back.with_changes(source_record=()) == edited.with_changes(source_record=())


def test_edited_creators_and_tags_are_written(seed):
    creators = (*seed.creators[:2], Creator(literal="Iltamiocel Study Group"), Creator("Doe", "J"))
    tags = (*seed.tags[1:], Tag("continence", "keyword"), Tag("to read"))
    edited = seed.with_changes(creators=creators, tags=tags, pmcid="PMC42")
    (back,) = text_refs(write_text([edited]))
    assert back.creators == creators
    assert back.tags == tags[:-1]  # a manual tag belongs to the library, not to MEDLINE
    assert back.pmcid == "PMC42"
    assert values(back, "PHST") == values(seed, "PHST")  # tags nobody edited stay


def test_tags_in_another_order_leave_the_record_alone(seed):
    shuffled = seed.with_changes(tags=tuple(reversed(seed.tags)) + (Tag("mine"),))
    assert medline.record_fields(shuffled) == list(seed.source_record)


def test_a_changed_item_type_rewrites_the_tags_that_depend_on_it():
    (article,) = read_all(DATA / "pubmed_result1.txt")
    chapter = article.with_changes(item_type=CHAPTER, place="Oxford", container_title="A book")
    (back,) = text_refs(write_text([chapter]))
    assert (back.item_type, back.container_title, back.place) == (CHAPTER, "A book", "Oxford")
    assert back.publication_types == ("Book Chapter", "Journal Article")
    assert values(back, "JT") == []
    assert back.container_title_short == "Brief Bioinform"


def test_a_date_edited_without_new_text_is_written_from_its_parts(seed):
    edited = seed.with_changes(date=replace(seed.date, year=2024, month=2, day=None))
    assert ("DP", "2024 Feb") in medline.record_fields(edited)


EDITABLE = (
    *("title", "abstract", "container_title", "container_title_short", "collection_title"),
    *("volume", "issue", "pages", "date", "doi", "pmid", "pmcid", "issns", "isbn", "language"),
    *("publisher", "place", "creators", "tags", "type"),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(RECORDS), references(), st.sets(st.sampled_from(EDITABLE)))
def test_imported_references_survive_editing_writing_and_reading(record, other, edited):
    (imported,) = medline.read_text(record)
    changes = {name: getattr(other, name) for name in edited if name != "type"}
    if "type" in edited:
        changes.update(item_type=other.item_type, publication_types=other.publication_types)
    ref = imported.with_changes(**changes)
    if ref.item_type == ARTICLE_JOURNAL:
        ref = ref.with_changes(place="")  # an article's PL is its country, not a place
    ref = ref.with_changes(publication_types=tuple(publication_types(ref)))
    assume(ref.title or ref.pmid)
    (back,) = written_and_read([ref])
    assert without_source(back) == without_source(ref)

"""MEDLINE reader and writer: real PubMed files, the damaged seed, odd layouts, bad input."""

import io
import json
import re
import tracemalloc
from dataclasses import asdict, replace
from pathlib import Path

import pytest

import refman.formats.medline as medline
from refman.formats.medline.read import CHUNK_BYTES, LONGEST_LINE
from refman.model import (
    BOOK,
    CHAPTER,
    EDITOR,
    Creator,
    Issn,
    MeshQualifier,
    NotMedlineError,
    ParseError,
    PartialDate,
    Problem,
    Reference,
    Tag,
)

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "medline"
SEED = DATA / "000_dccecbf8d310899f.txt"
REAL_FILES = sorted([*DATA.glob("*.nbib"), *DATA.glob("pubmed_result*.txt"), SEED])
ALL_FILES = REAL_FILES + sorted(
    p for p in FIXTURES.glob("*.nbib") if p.stem not in ("empty", "pdf_like", "not_medline")
)

# The two records of the layout fixtures, in PubMed's own layout.
PLAIN = """PMID- 11111111
OWN - NLM
STAT- MEDLINE
DP  - 2002 Sep
TI  - A first record about lumbar puncture in
      adults.
FAU - Müller, Jürgen
AU  - Müller J
LA  - eng
PT  - Journal Article
TA  - Test J
JT  - Test journal

PMID- 22222222
OWN - NLM
DP  - 2019 Sep-Oct
TI  - A second record.
FAU - Núñez, Ana
AU  - Núñez A
LA  - spa
PT  - Journal Article
"""


def read_all(path, **kwargs) -> list[Reference]:
    return list(medline.read(path, **kwargs))


def raw_all(path, **kwargs) -> list[tuple[tuple[str, str], ...]]:
    return [record.fields for record in medline.read_raw(path, **kwargs)]


def text_refs(text: str, **kwargs) -> list[Reference]:
    return list(medline.read_text(text, **kwargs))


def values(ref: Reference, tag: str) -> list[str]:
    return [v for t, v in ref.source_record if t == tag]


# --- PubMed's own files ---------------------------------------------------------------------


def test_the_balloon_guide_set_holds_as_many_records_as_pubmed_reported():
    path = DATA / "nbib-pubmed-balloongui-set.nbib"
    expected = json.loads(path.with_suffix(".expected.json").read_text())["record_count"]
    problems = []
    refs = read_all(path, on_problem=problems.append)
    assert len(refs) == expected == 75
    assert problems == []
    assert len({r.pmid for r in refs}) == 75
    assert all(r.title and r.creators for r in refs)
    assert "≥" in "".join(r.abstract for r in refs)  # UTF-8 read through CRLF line ends


def test_unicode_spaces_inside_values_are_kept():
    refs = read_all(DATA / "nbib-pubmed-balloongui-set.nbib")
    copyright_lines = [v for r in refs for v in values(r, "CI")]
    assert "©\xa0Georg Thieme Verlag KG Stuttgart · New York." in copyright_lines


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


@pytest.fixture(scope="module")
def seed() -> Reference:
    problems = []
    (ref,) = read_all(SEED, on_problem=problems.append)
    assert problems == []
    return ref


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


def test_several_damaged_records_on_one_line_are_split_at_each_pmid():
    one_line = " ".join(PLAIN.split())
    assert [r.pmid for r in text_refs(one_line)] == ["11111111", "22222222"]
    assert text_refs(one_line) == text_refs(PLAIN)


def test_damaged_records_one_per_line_and_text_before_them():
    seed_text = SEED.read_text()
    text = "Here is what PubMed gave me: " + seed_text + "\n" + " ".join(PLAIN.split())
    refs = text_refs(text)
    assert [r.pmid for r in refs] == ["37144409", "11111111", "22222222"]
    assert refs[0] == read_all(SEED)[0]


def test_a_title_that_mentions_a_tag_is_not_a_damaged_line():
    (ref,) = text_refs("PMID- 1\nTI  - Tau in AD - a review of PT -related work.\n")
    assert ref.title == "Tau in AD - a review of PT -related work"


# --- layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "crlf",
        "bom",
        "bom_crlf",
        "latin1",
        "no_final_newline",
        "blank_lines",
        "junk_before",
        "no_blank_between",
    ],
)
def test_layouts_read_the_same_records(name):
    problems = []
    refs = read_all(FIXTURES / f"{name}.nbib", on_problem=problems.append)
    assert refs == text_refs(PLAIN)
    assert problems == []
    assert refs[0].creators[0] == Creator("Müller", "Jürgen")
    assert refs[0].title == "A first record about lumbar puncture in adults"


def test_records_know_the_line_they_start_on():
    assert [r.line for r in medline.read_raw(FIXTURES / "junk_before.nbib")] == [7, 20]
    assert [r.line for r in medline.read_raw(FIXTURES / "blank_lines.nbib")] == [4, 20]


def test_white_space_in_values_is_squashed_to_single_spaces():
    text = (
        "PMID- 1\n"
        "TI  - A title wrapped \n"  # PubMed leaves a space at some wraps
        "      over two lines.\n"
        "AB  -  Leading  and\tinner   runs, \n"
        "         a deep indent.  \n"
        "OT  -  \n"
        "OT  - kept\n"
        "JT  - Journal\n"
    )
    (fields,) = [r.fields for r in medline.read_raw(io.BytesIO(text.encode()))]
    assert fields == (
        ("PMID", "1"),
        ("TI", "A title wrapped over two lines."),
        ("AB", "Leading and inner runs, a deep indent."),
        ("OT", ""),
        ("OT", "kept"),
        ("JT", "Journal"),
    )


def test_four_space_continuation_lines_and_tabs():
    text = PLAIN.replace("\n      adults.", "\n    adults.").replace(
        "TA  - Test J", "TA  -\tTest J"
    )
    assert text_refs(text) == text_refs(PLAIN)


def test_old_mac_line_ends():
    assert text_refs(PLAIN.replace("\n", "\r")) == text_refs(PLAIN)


def test_utf16_with_a_bom_is_read():
    data = PLAIN.replace("\n", "\r\n").encode("utf-16")
    assert read_all(io.BytesIO(data)) == text_refs(PLAIN)


def test_a_text_stream_is_read_too():
    assert read_all(io.StringIO(PLAIN)) == text_refs(PLAIN)


def test_tags_are_matched_by_pattern_not_by_column():
    first, eric = raw_all(FIXTURES / "unpadded_tags.nbib")
    assert first == (
        ("PMID", "30000001"),
        ("OWN", "NLM"),
        ("TI", "Tight tags: a title written right after the dash."),
        ("DP", "2015"),
        ("AU", "Tight A"),
        ("AB", ""),
        ("LA", "eng"),
    )
    assert ("ISSN", "0022-0663") in eric
    assert eric[-1] == ("XYZ", "a tag refman does not know, kept in the source record")


def test_an_eric_record_reads():
    _, eric = read_all(FIXTURES / "unpadded_tags.nbib")
    assert eric.title == "An ERIC record with its own tags"
    assert eric.issns == (Issn("0022-0663"),)
    assert eric.creators == (Creator("Reader", "R"),)
    assert eric.date.year == 2010


def test_words_with_dashes_at_a_line_start_continue_the_value():
    (ref,) = read_all(FIXTURES / "lost_indent.nbib")
    assert ref.title == "Outcomes of patients admitted with SARS-CoV-2 infection: a cohort study"
    assert ref.abstract == (
        "BACKGROUND: Little is known about COVID-19 in older adults and their AD-related "
        "changes, which were IL-6 driven."
    )
    assert [t for t, _ in ref.source_record] == ["PMID", "OWN", "DP", "TI", "AB", "LA", "PT"]


# --- limits: long lines, long values, long records --------------------------------------------

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit "


def words(length: int) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def read_with_problems(data: bytes) -> tuple[list[Reference], list[tuple[int | None, str]]]:
    problems: list[Problem] = []
    refs = read_all(io.BytesIO(data), on_problem=problems.append)
    return refs, [(p.line, p.message) for p in problems]


def cut_message(tag: str, length: int, kept: str) -> str:
    return f"the {tag} field is {length:,} characters long; kept the first {len(kept):,}"


def test_a_line_longer_than_the_reader_holds_is_cut_in_bounded_memory():
    """The line is 4 times what the reader holds: reading it whole would take twice that in
    memory at least (its bytes and its text), the reader stays well below."""
    size = 4 * LONGEST_LINE
    data = f"PMID- 1\nTI  - Long.\nAB  - {words(size)}\nLA  - eng\n".encode()
    tracemalloc.start()
    try:
        refs, problems = read_with_problems(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (ref,) = refs
    assert ref.abstract == words(medline.MAX_FIELD_CHARS).rstrip()
    assert ref.language == "eng"  # the file goes on after the long line
    assert problems == [(3, cut_message("AB", size, ref.abstract))]
    assert peak < 7 * LONGEST_LINE


def test_a_long_line_at_the_end_of_a_file_without_a_line_break_is_cut():
    size = LONGEST_LINE + 5 * CHUNK_BYTES
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - {words(size)}".encode())
    assert ref.title == words(medline.MAX_FIELD_CHARS).rstrip()
    assert problems == [(2, cut_message("TI", size, ref.title))]


def test_a_long_line_of_multibyte_characters_is_cut_between_characters():
    text = "é€😀" * (LONGEST_LINE // 3)  # 2, 3 and 4 bytes in UTF-8
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - {text}\n".encode())
    assert ref.title == text[: medline.MAX_FIELD_CHARS]
    assert problems == [(2, cut_message("TI", len(text), ref.title))]


def test_a_value_over_many_continuation_lines_is_cut():
    lines = [words(80) for _ in range(2 * medline.MAX_FIELD_CHARS // 80)]
    text = "PMID- 1\nTI  - A title\nAB  - " + "\n      ".join(lines) + "\nLA  - eng\n\n"
    (ref,), problems = read_with_problems(text.encode())
    whole = " ".join(line.strip() for line in lines)
    assert ref.abstract == whole[: medline.MAX_FIELD_CHARS].rstrip()
    assert ref.language == "eng"
    assert problems == [(3, cut_message("AB", len(whole), ref.abstract))]


def test_values_within_the_limit_are_whole():
    value = words(medline.MAX_FIELD_CHARS).strip()
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - A title\nAB  - {value}\n".encode())
    assert (ref.abstract, problems) == (value, [])


def test_a_record_with_too_many_fields_keeps_its_first():
    count = medline.MAX_RECORD_FIELDS + 1000
    text = "PMID- 1\nTI  - A title\n" + "AU  - Author X\n" * count + "\nPMID- 2\nTI  - Next\n"
    (ref, following), problems = read_with_problems(text.encode())
    assert len(ref.source_record) == medline.MAX_RECORD_FIELDS
    assert len(ref.creators) == medline.MAX_RECORD_FIELDS - 2
    assert following.title == "Next"
    kept = sum(len(value) for _, value in ref.source_record)
    assert problems == [
        (
            1,
            "this record is longer than any real one: kept its first "
            f"{medline.MAX_RECORD_FIELDS:,} fields ({kept:,} characters) and dropped the other "
            f"{count + 2 - medline.MAX_RECORD_FIELDS:,}",
        )
    ]


def test_a_record_of_too_many_characters_keeps_its_first_fields():
    value = words(medline.MAX_FIELD_CHARS - 10).strip()
    count = medline.MAX_RECORD_CHARS // len(value) + 3
    text = "PMID- 1\nTI  - A title\n" + f"AB  - {value}\n" * count + "LA  - eng\n"
    (ref,), problems = read_with_problems(text.encode())
    fields = ref.source_record
    assert fields[:2] == (("PMID", "1"), ("TI", "A title"))
    assert all(field == ("AB", value) for field in fields[2:])
    kept = sum(len(v) for _, v in fields)
    assert kept <= medline.MAX_RECORD_CHARS < kept + len(value)
    assert problems == [
        (
            1,
            "this record is longer than any real one: kept its first "
            f"{len(fields):,} fields ({kept:,} characters) and dropped the other "
            f"{count + 3 - len(fields):,}",
        )
    ]


def test_lines_ended_by_cr_alone_are_not_one_long_line():
    record = f"PMID- 1\rTI  - A title\rAB  - {words(2000)}\r\r"
    data = (record * (2 * LONGEST_LINE // len(record))).encode()
    refs, problems = read_with_problems(data)
    assert problems == []
    assert len(refs) == len(data) // len(record)
    assert refs[0].abstract == words(2000).strip()


# --- control characters -----------------------------------------------------------------------

DIRTY_TITLE = "A \x1b[31mred\x1b[0m title\x07 with a back\x08space,\ta tab, DEL\x7f and C1\x9b."
CLEAN_TITLE = "A [31mred[0m title with a backspace, a tab, DEL and C1"
DIRTY = (
    f"PMID- 1\nTI  - {DIRTY_TITLE}\nFAU - Smith\x1b, John\nAB  - Line one\n\x1b\x07\n      two.\n"
)


@pytest.mark.parametrize(
    "data",
    [
        DIRTY.encode(),
        DIRTY.encode("utf-16"),
        DIRTY.replace("\n", "\r\n").encode(),
        # Not UTF-8: a line with a byte that Windows-1252 has no character for (0x81) is read
        # as Latin-1, where that byte is a C1 control; it goes as well.
        DIRTY.replace("\x9b", "\x81").replace("Line one", "Lin\xe9 one\x81").encode("latin-1"),
    ],
    ids=["utf-8", "utf-16", "crlf", "latin-1"],
)
def test_control_characters_are_removed_from_values(data):
    (ref,), problems = read_with_problems(data)
    assert problems == []
    assert ref.title == CLEAN_TITLE
    assert ref.creators[0].family == "Smith"
    assert ref.abstract in ("Line one two.", "Liné one two.")  # a line of controls only
    assert not any(re.search("[\x00-\x1f\x7f-\x9f]", v) for _, v in ref.source_record)


def test_control_characters_are_removed_from_pasted_text():
    (ref,) = text_refs(DIRTY)
    assert ref.title == CLEAN_TITLE


def test_a_record_with_nul_bytes_is_still_reported_among_control_characters():
    data = b"PMID- 1\nTI  - bad\x00\x1b\n\nPMID- 2\nTI  - good\x1b\n"
    (ref,), problems = read_with_problems(data)
    assert ref.title == "good"
    assert problems == [(1, "this record holds binary data (NUL bytes) and was skipped")]


# --- mapping ----------------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023 Dec 1", PartialDate(2023, 12, 1, "2023 Dec 1")),
        ("2002 Sep", PartialDate(2002, 9, None, "2002 Sep")),
        ("2019 Sep-Oct", PartialDate(2019, 9, None, "2019 Sep-Oct", "Sep-Oct")),
        ("2013 Winter", PartialDate(2013, None, None, "2013 Winter", "Winter")),
        ("2013 06 10", PartialDate(2013, 6, 10, "2013 06 10")),
        ("Apr 1990", PartialDate(1990, 4, None, "Apr 1990")),
        ("2001", PartialDate(2001, None, None, "2001")),
        ("2005 Dec-2006 Jan", PartialDate(2005, 12, None, "2005 Dec-2006 Jan", "Dec-2006 Jan")),
        ("2010 Jan 15-21", PartialDate(2010, 1, 15, "2010 Jan 15-21")),
        ("2011 September", PartialDate(2011, 9, None, "2011 September")),
        (
            "2014 Spring-Summer",
            PartialDate(2014, None, None, "2014 Spring-Summer", "Spring-Summer"),
        ),
        ("2013 13 40", PartialDate(2013, None, None, "2013 13 40", "13 40")),
        ("in press", PartialDate(None, None, None, "in press")),
    ],
)
def test_publication_dates(text, expected):
    assert medline.parse_date(text) == expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("475-82", "475-482"),
        ("6913-7", "6913-6917"),
        ("1041-1049", "1041-1049"),
        ("e1042", "e1042"),
        ("401M-421M", "401M-421M"),
        ("e1042-e1050", "e1042-e1050"),
        ("10", "10"),
        ("99-5", "99-5"),  # not a range that can be expanded
        ("23-9, 45-7", "23-29, 45-47"),
        ("S12-8", "S12-8"),
    ],
)
def test_abbreviated_page_ranges_are_written_out(pages, expected):
    assert medline.expand_pages(pages) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Bio* toolkits--a brief overview.", "The Bio* toolkits--a brief overview"),
        ("Is it safe?", "Is it safe?"),
        ("Is it safe?.", "Is it safe?"),
        ("Waiting for...", "Waiting for..."),
        ("A study by Smith et al.", "A study by Smith et al."),
        ("Prevalence in the U.S.", "Prevalence in the U.S."),
        ("Effects of vitamin A.", "Effects of vitamin A"),
        ("[Surgery of the hip in the elderly].", "[Surgery of the hip in the elderly]"),
        ("No period", "No period"),
    ],
)
def test_the_closing_period_of_a_title_is_dropped_once(title, expected):
    assert medline.clean_title(title) == expected


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


# --- input that is not MEDLINE, and records that cannot be read --------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty", "it is empty"),
        ("pdf_like", "it is a PDF"),
        ("not_medline", "it looks like BibTeX"),
    ],
)
def test_a_file_that_is_not_medline_is_refused_with_a_plain_reason(name, reason):
    path = FIXTURES / f"{name}.nbib"
    records = medline.read(path)  # nothing happens before iteration starts
    with pytest.raises(NotMedlineError) as caught:
        next(records)
    assert caught.value.path == str(path)
    assert caught.value.line is None
    assert caught.value.message == f"this is not a MEDLINE/PubMed file ({reason})"
    assert not medline.sniff(path.read_bytes().decode("utf-8", "replace"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Shopping list: milk, eggs\nCOVID-19 tests - two\n", "no MEDLINE tags"),
        ("TY  - JOUR\nAU  - Smith, J\nTI  - A title\nER  - \n", "it looks like RIS"),
        ('<?xml version="1.0"?>\n<PubmedArticleSet>', "it looks like XML"),
        ('[{"title": "x"}]', "it looks like JSON"),
        ("\x01\x02\x03\x04 binary \x05\x06", "it is a binary file"),
        ("  \n\n \t\n", "it is empty"),
    ],
)
def test_text_that_is_not_medline_is_refused(text, reason):
    with pytest.raises(NotMedlineError, match=reason):
        list(medline.read_text(text))
    assert not medline.sniff(text)


def test_sniff_accepts_medline_heads():
    assert medline.sniff(PLAIN)
    assert medline.sniff(SEED.read_text()[:4096])
    assert medline.sniff("\ufeffPMID- 1\n")
    assert medline.sniff("Search results\n\nOWN - ERIC\nTI  - A title\n")


def test_a_folder_or_a_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(NotMedlineError, match="this is a folder"):
        read_all(tmp_path)
    with pytest.raises(ParseError, match="the file does not exist"):
        read_all(tmp_path / "nope.nbib")


def test_a_stream_that_fails_while_reading_is_a_parse_error():
    class Failing(io.RawIOBase):
        def readable(self):
            return True

        def read(self, size=-1):
            raise OSError(5, "Input/output error")

    with pytest.raises(ParseError, match="cannot be read"):
        read_all(Failing(), name="usb.nbib")


def test_records_that_cannot_be_read_are_reported_and_the_rest_imports():
    problems: list[Problem] = []
    refs = read_all(FIXTURES / "broken.nbib", name="broken.nbib", on_problem=problems.append)
    assert [r.title for r in refs] == [
        "The first good record",
        "The second good record",
        "The third good record",
    ]
    assert problems == [
        Problem("broken.nbib", 5, "this record has no title and no PubMed ID and was skipped"),
        Problem("broken.nbib", 8, "text without MEDLINE tags was skipped"),
        Problem("broken.nbib", 14, "this record holds binary data (NUL bytes) and was skipped"),
    ]
    assert str(problems[0]).startswith("broken.nbib:5: ")


def test_without_a_problem_callback_bad_records_are_skipped_silently():
    assert len(read_all(FIXTURES / "broken.nbib")) == 3


def test_problems_name_the_stream_they_come_from():
    problems = []
    data = b"PMID- 1\nTI  - ok\n\nAB  - no title\n"
    read_all(io.BytesIO(data), name="drop.nbib", on_problem=problems.append)
    assert problems == [
        Problem("drop.nbib", 4, "this record has no title and no PubMed ID and was skipped")
    ]
    problems.clear()
    list(medline.read_text(data.decode(), on_problem=problems.append))
    assert [p.path for p in problems] == ["clipboard"]


# --- writing ----------------------------------------------------------------------------------


def write_text(refs) -> str:
    out = io.StringIO()
    medline.write(refs, out)
    return out.getvalue()


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_read_write_read_gives_the_same_references(path):
    refs = read_all(path)
    assert text_refs(write_text(refs)) == refs


def tag_lines(text: str) -> list[str]:
    return [line[:4] for line in text.split("\n") if line.strip() and not line[0].isspace()]


@pytest.mark.parametrize("name", ["pubmed_result2.txt", "nbib-pubmed-balloongui-set.nbib"])
def test_an_imported_record_is_written_back_tag_line_for_tag_line(name):
    text = (DATA / name).read_text(encoding="utf-8")
    written = write_text(read_all(DATA / name))
    assert tag_lines(written) == tag_lines(text)
    assert written.split() == text.split()  # the same words: only the wrapping may differ


def test_the_written_layout_is_pubmeds():
    text = write_text(read_all(DATA / "nbib-pubmed-balloongui-set.nbib"))
    records = text.split("\n\n")
    assert len(records) == 75
    for line in text.split("\n"):  # (values may hold U+2028, which splitlines() splits on)
        assert line == "" or re.match(r"[A-Z][A-Z0-9]{0,3} *-( |$)|      \S", line)
        assert len(line) <= 88 or " " not in line[6:]


def test_the_damaged_seed_is_written_in_proper_layout(seed):
    text = write_text([seed])
    assert text.startswith("PMID- 37144409\nOWN - NLM\nSTAT- MEDLINE\nDCOM- 20231109\n")
    assert "\nTI  - Safety and Efficacy of Iltamiocel Cellular Therapy for the Treatment of" in text
    assert "\n      Incontinence. Results of a Phase 1/2 Study.\n" in text


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


NEW_ITEM = Reference(
    title="A reference typed into refman",
    abstract="It has no source record.",
    container_title="Journal of Examples",
    container_title_short="J Ex",
    volume="12",
    issue="3",
    pages="45-67",
    date=PartialDate(2020, 5, None, "2020 May"),
    doi="10.5555/example.1",
    pmid="99999999",
    pmcid="PMC99999",
    issns=(Issn("1111-2222", "Print"), Issn("3333-4444", "Electronic")),
    language="eng",
    creators=(
        Creator(
            "de la Cruz", "María José", affiliations=("Madrid", "Bilbao"), ids=("0000 [ORCID]",)
        ),
        Creator(literal="The Example Group"),
        Creator("Smith", "John Jr"),
    ),
    tags=(Tag("Brain", "mesh", True, (MeshQualifier("surgery", True),)), Tag("kw", "keyword")),
    publication_types=("Journal Article", "Review"),
)


def test_an_item_made_in_refman_is_written_from_its_fields():
    text = write_text([NEW_ITEM])
    assert text.splitlines()[:4] == [
        "PMID- 99999999",
        "IS  - 1111-2222 (Print)",
        "IS  - 3333-4444 (Electronic)",
        "VI  - 12",
    ]
    assert "TI  - A reference typed into refman.\n" in text
    assert "FAU - de la Cruz, María José\nAU  - de la Cruz MJ\nAD  - Madrid\nAD  - Bilbao\n" in text
    assert "AU  - Smith J Jr\n" in text
    assert "MH  - *Brain/*surgery\nOT  - kw\n" in text
    (back,) = text_refs(text)
    assert back.with_changes(source_format="", source_record=()) == NEW_ITEM


def test_books_and_chapters_made_in_refman_keep_their_type():
    book = Reference(
        item_type=BOOK,
        title="A Book",
        publisher="Pub",
        place="Town",
        isbn="123",
        creators=(Creator("Ed", "E", role=EDITOR),),
    )
    chapter = book.with_changes(item_type=CHAPTER, title="A chapter", container_title="A Book")
    back = text_refs(write_text([book, chapter]))
    assert [b.with_changes(source_format="", source_record=()) for b in back] == [
        book.with_changes(publication_types=("Book",)),
        chapter.with_changes(publication_types=("Book Chapter",)),
    ]
    assert ("BTI", "A Book") in back[0].source_record and values(back[0], "TI") == []


def test_a_title_ending_in_an_abbreviation_is_written_so_it_reads_back():
    ref = Reference(title="Cats, dogs etc", pmid="1")
    (back,) = text_refs(write_text([ref]))
    assert back.title == "Cats, dogs etc"


def test_major_keyword_star_is_kept_as_a_mark_not_in_the_name():
    text = "PMID- 1\nTI  - Balloon guides.\nOT  - *animals\nOT  - thrombectomy\n"
    (ref,) = medline.read_text(text)
    keywords = [(t.name, t.major) for t in ref.tags if t.kind == "keyword"]
    assert keywords == [("animals", True), ("thrombectomy", False)]
    out = io.StringIO()
    medline.write([ref.with_changes(source_record=())], out)
    assert "OT  - *animals\n" in out.getvalue()

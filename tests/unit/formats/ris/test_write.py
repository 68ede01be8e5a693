"""RIS export: golden files, line shape, and a read-back that gives the fields again."""

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.formats import ris
from refman.model import Creator, PartialDate, Reference, Tag
from tests.samples import ALL, CHAPTER, EXPORT, NON_ASCII, SAMPLES, SEED, SPECIAL_CHARS

LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")


def write(refs) -> str:
    out = io.StringIO(newline="")
    ris.write(refs, out)
    return out.getvalue()


def read(text: str) -> list[dict[str, list[str]]]:
    """A minimal RIS reader: one dict of tag → values per record, records closed by ER."""
    records, current = [], {}
    for line in text.split("\r\n"):
        if not line:
            continue
        tag, value = line[:2], line[6:]
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(tag, []).append(value)
    assert not current, "a record was not closed by ER"
    return records


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_ris_matches_golden_file(name):
    expected = (EXPORT / f"{name}.ris").read_bytes().decode("utf-8")
    assert write(SAMPLES[name]) == expected


def test_every_line_is_a_tag_line_or_blank_and_ends_with_crlf():
    text = write(ALL)
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert line == "" or LINE.match(line), line


def test_records_open_with_ty_close_with_er_and_are_separated_by_a_blank_line():
    text = write(ALL)
    chunks = text.split("\r\n\r\n")
    assert len(chunks) == len(ALL)
    for chunk in chunks:
        assert chunk.startswith("TY  - ")
        assert chunk.rstrip("\r\n").endswith("ER  - ")


def test_types():
    assert [r["TY"] for r in read(write(ALL))] == [
        ["JOUR"],
        ["BOOK"],
        ["CHAP"],
        ["RPRT"],
        ["JOUR"],
        ["JOUR"],
        ["JOUR"],
        ["CONF"],
        ["THES"],
        ["DATA"],
        ["ELEC"],
        ["UNPB"],
        ["GEN"],
    ]


def test_seed_reads_back():
    record = read(write([SEED]))[0]
    assert record == {
        "TY": ["JOUR"],
        "AU": [
            "Knowles, Charles H",
            "Canestrari, Emanuele",
            "Jankowski, Ron J",
            "Cardello, Kelly",
            "Raval, Manoj J",
        ],
        "TI": [SEED.title],
        "T2": ["Annals of surgery"],
        "J2": ["Ann Surg"],
        "PY": ["2023"],
        "DA": ["2023/12/01/"],
        "VL": ["278"],
        "IS": ["6"],
        "SP": ["937"],
        "EP": ["944"],
        "SN": ["1528-1140, 0003-4932"],
        "DO": ["10.1097/SLA.0000000000005894"],
        "AN": ["37144409"],
        "LA": ["eng"],
        "KW": ["Adult", "Humans", "Fecal Incontinence", "Quality of Life", "Anal Canal", "to read"],
        "AB": [" ".join(SEED.abstract.split())],
    }


def test_chapter_has_editors_book_title_series_and_isbn():
    record = read(write([CHAPTER]))[0]
    assert record["AU"] == ["Ishikawa, Hiroshi", "Cole, Anne-Marie"]
    assert record["A2"] == ["Bennett, Mary K", "van der Berg, Jan"]
    assert record["T2"] == [CHAPTER.container_title]
    assert record["T3"] == ["Methods in Molecular Biology"]
    assert record["SN"] == ["978-1-4939-9630-8"]
    assert (record["PB"], record["CY"]) == (["Humana"], ["New York, NY"])


def test_collective_author_is_written_as_one_name():
    record = read(write(SAMPLES["collective"]))[1]
    assert record["AU"] == ["GBD 2019 Diseases and Injuries Collaborators", "Vos, Theo"]


def test_text_is_written_as_is():
    assert read(write([NON_ASCII]))[0]["AU"][:2] == ["Müller, Jörg", "Ødegaard, Nils"]
    record = read(write([SPECIAL_CHARS]))[0]
    assert record["TI"] == [SPECIAL_CHARS.title]
    assert record["UR"] == [SPECIAL_CHARS.url]


@pytest.mark.parametrize(
    ("date", "lines"),
    [
        (PartialDate(2023, 12, 1), {"PY": ["2023"], "DA": ["2023/12/01/"]}),
        (PartialDate(2023, 12), {"PY": ["2023"], "DA": ["2023/12//"]}),
        (PartialDate(2023), {"PY": ["2023"]}),
        (PartialDate(2019, 9, season="Sep-Oct"), {"PY": ["2019"], "DA": ["2019/09//Sep-Oct"]}),
        (PartialDate(2013, season="Winter"), {"PY": ["2013"], "DA": ["2013///Winter"]}),
        (PartialDate(), {}),
    ],
)
def test_dates(date, lines):
    record = read(write([Reference(date=date)]))[0]
    assert {tag: record[tag] for tag in ("PY", "DA") if tag in record} == lines


@pytest.mark.parametrize(
    ("pages", "lines"),
    [
        ("937-944", {"SP": ["937"], "EP": ["944"]}),
        ("e12–e19", {"SP": ["e12"], "EP": ["e19"]}),
        ("e1042", {"SP": ["e1042"]}),
        ("1-5, 7-9", {"SP": ["1-5, 7-9"]}),
    ],
)
def test_pages(pages, lines):
    record = read(write([Reference(pages=pages)]))[0]
    assert {tag: record[tag] for tag in ("SP", "EP") if tag in record} == lines


def test_line_breaks_inside_a_value_do_not_start_a_new_line():
    text = write([Reference(title="Two\nlines", abstract="Para one.\n\nPara two.")])
    assert read(text)[0]["AB"] == ["Para one. Para two."]
    assert read(text)[0]["TI"] == ["Two lines"]


def test_journal_country_is_not_written_as_place():
    assert "CY" not in read(write([SEED]))[0]


def test_nothing_to_write_writes_nothing():
    assert write([]) == ""


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(title=any_text, family=any_text, given_name=any_text, tag=any_text, abstract=any_text)
def test_any_text_stays_on_its_tag_line(title, family, given_name, tag, abstract):
    ref = Reference(
        title=title, abstract=abstract, creators=(Creator(family, given_name),), tags=(Tag(tag),)
    )
    text = write([ref, SEED])
    for line in text.split("\r\n"):
        assert line == "" or LINE.match(line), line
    record, seed = read(text)
    assert record.get("TI", [""]) == [" ".join(title.split())]
    assert record.get("AB", [""]) == [" ".join(abstract.split())]
    assert seed["AN"] == ["37144409"]

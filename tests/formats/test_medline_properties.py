"""Properties of the MEDLINE reader and writer, checked with hypothesis.

- Any text or bytes at all: the reader yields references or raises a RefmanError, nothing else.
- Real PubMed records with their layout damaged the ways files get damaged (line breaks lost,
  CRLF, 4-space indents, extra blank lines, a BOM, junk before them) read back the same fields.
- A reference written and read again is the same reference, whether it was made in refman or
  imported and then edited.
"""

import contextlib
import io
import re
import textwrap
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import refman.formats.medline as medline
from refman.formats.medline.assemble import Assembler
from refman.formats.medline.mapping import publication_types
from refman.formats.medline.read import block_text, read_blocks
from refman.formats.medline.record import LIMITS, Limits, squash
from refman.formats.medline.write import INDENT, WIDTH
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
    RefmanError,
    Tag,
)

DATA = Path(__file__).parents[1] / "data"
REAL_FILES = [
    DATA / "pubmed_result1.txt",
    DATA / "pubmed_result2.txt",
    DATA / "nbib-pubmed-balloongui-set.nbib",
    DATA / "zotero-case-01.nbib",
    DATA / "zotero-case-02.nbib",
    DATA / "zotero-case-03.nbib",
]


def _record_texts() -> list[str]:
    """Every real record in PubMed's layout, the seed as the writer lays it out."""
    texts = []
    for path in REAL_FILES:
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        texts += [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    seed = io.StringIO()
    medline.write(medline.read(DATA / "000_dccecbf8d310899f.txt"), seed)
    return texts + [seed.getvalue().strip("\n")]


RECORDS = _record_texts()


def raw(data: bytes) -> list[tuple[tuple[str, str], ...]]:
    return [r.fields for r in medline.read_raw(io.BytesIO(data))]


# --- nothing but RefmanError ----------------------------------------------------------------

TAGS = sorted(medline.KNOWN_TAGS) + ["XYZ", "ISSN", "COVID", "SARS", "IL", "A1"]
medline_ish_line = st.one_of(
    st.builds(
        lambda tag, dash, value: f"{tag}{dash}{value}",
        st.sampled_from(TAGS),
        st.sampled_from(["- ", "  - ", "-", " -", "  -", " - ", "\t- "]),
        st.text(max_size=40),
    ),
    st.builds(lambda v: "      " + v, st.text(max_size=40)),
    st.sampled_from(["", " ", "\r", "\ufeff", "\x00", "PMID- 1 TI - x AU - y", "DP  - 2019"]),
    st.text(max_size=30),
)
medline_ish = st.lists(medline_ish_line, max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), medline_ish))
def test_any_text_reads_or_raises_a_refman_error(text):
    try:
        refs = list(medline.read_text(text))
    except RefmanError:
        return
    assert all(r.source_format == "medline" and r.source_record for r in refs)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(),
        medline_ish.map(lambda t: t.encode("utf-8", "surrogatepass")),
        medline_ish.map(lambda t: t.encode("utf-16", "surrogatepass")),
        st.tuples(st.sampled_from(RECORDS), st.binary()).map(lambda p: p[0].encode() + p[1]),
    )
)
def test_any_bytes_read_or_raise_a_refman_error(data):
    problems = []
    with contextlib.suppress(RefmanError):
        list(medline.read(io.BytesIO(data), name="x.nbib", on_problem=problems.append))
    assert all(p.path == "x.nbib" and p.line >= 1 for p in problems)


# --- damaged layouts of real records ----------------------------------------------------------


def one_line(text: str) -> str:
    """The record as pasted from a web page: every ASCII line break and indent gone."""
    return re.sub(r"[ \t\n]+", " ", text)


@st.composite
def damaged_files(draw):
    """(original file, damaged file) for a few real records."""
    records = draw(st.lists(st.sampled_from(RECORDS), min_size=1, max_size=3))
    original = "\n\n".join(records) + "\n"
    lines_lost = draw(st.sampled_from(["none", "each record", "whole file"]))
    if lines_lost == "each record":
        damaged = "\n".join(one_line(r) for r in records)
    elif lines_lost == "whole file":
        damaged = one_line(original)
    else:
        gap = st.sampled_from(["\n\n", "\n\n\n", "\n \n\n", "\n\t\n"])
        gaps = draw(st.lists(gap, min_size=len(records) + 1, max_size=len(records) + 1))
        damaged = gaps[0] + "".join(r + g for r, g in zip(records, gaps[1:], strict=True))
        if draw(st.booleans()):
            damaged = damaged.replace("\n      ", "\n    ")
    if draw(st.booleans()):
        damaged = "Saved from PubMed, 3 items.\n\n" + damaged
    if draw(st.booleans()):
        damaged = damaged.replace("\n", "\r\n")
    data = damaged.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return original.encode("utf-8"), data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_files())
def test_damaged_layouts_read_back_the_same_fields(files):
    original, damaged = files
    assert raw(damaged) == raw(original)


# --- reading records whole agrees with reading line by line ------------------------------------
# The reader takes a record in PubMed's layout whole (``_clean_record``) and gives anything else
# to the line-by-line assembler. Whatever the text and wherever the file's blocks end, that must
# give what the assembler alone gives: the same records, on the same lines, the same problems.


def line_by_line(text: str, limits: Limits = LIMITS) -> tuple[list, list]:
    problems: list = []
    assembler = Assembler(lambda line, message: problems.append((line, message)), limits)
    records: list = []
    assembler.feed_block(0, text.split("\n"), records)
    records += assembler.finish()
    return [(r.fields, r.line) for r in records], problems


def in_blocks(blocks: list[str], limits: Limits = LIMITS) -> tuple[list, list]:
    problems: list = []
    records = read_blocks(blocks, "x", lambda p: problems.append((p.line, p.message)), limits)
    return [(r.fields, r.line) for r in records], problems


def cut_in_blocks(text: str, cuts: list[int]) -> list[str]:
    """``text`` in blocks that end at line breaks (but the last), as the file reader gives it."""
    ends = sorted({i + 1 for i, char in enumerate(text) if char == "\n"} & set(cuts))
    starts = [0, *ends]
    return [text[a:b] for a, b in zip(starts, [*ends, len(text)], strict=True) if a < b]


mixed_records = st.lists(
    st.one_of(
        st.sampled_from(RECORDS),
        medline_ish,
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - a - b ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nAB  - ", "\nXYZ- ")),
        st.sampled_from(RECORDS).map(lambda r: r + "\nPMID- 1\nTI  - second"),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\n      ", "\n   \n      ", 1)),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nDP  - ", "\nDP  -\tx ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x AU -\ty PG -\t")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x PMID -\nPG  - ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x AU - y PG - ")),
        st.sampled_from(["junk text", "  ", "PMID- 9\x00", "TI  - ", "TI  - x -", "\x1f"]),
    ),
    max_size=5,
)


# The limits on values and records (field characters, fields, record characters): the real
# ones, and small ones that cut some of the values and records of the examples.
SOME_LIMITS = [
    (medline.MAX_FIELD_CHARS, medline.MAX_RECORD_FIELDS, medline.MAX_RECORD_CHARS),
    (30, 1000, 10_000),
    (10_000, 4, 10_000),
    (10_000, 1000, 150),
    (25, 5, 100),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mixed_records,
    st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n", "\n \n"]), min_size=6, max_size=6),
    st.lists(st.integers(0, 20_000), max_size=6),
    st.sampled_from([LIMITS.piece_chars, 40, 400]),
    st.sampled_from(SOME_LIMITS),
)
def test_records_read_whole_agree_with_the_line_by_line_reader(
    records, gaps, cuts, longest, limits
):
    """Whatever the limits: a record fed a block at a time is cut as it grows (``trim``), and
    must come out as it does when it is cut whole at its end."""
    text = "".join(record + gap for record, gap in zip(records, gaps, strict=False))
    fields, count, chars = limits
    # A small piece_chars takes the long-stretch path.
    small = Limits(field_chars=fields, record_fields=count, record_chars=chars, piece_chars=longest)
    assert in_blocks(cut_in_blocks(text, cuts), small) == line_by_line(text, small)


def test_real_files_read_whole_agree_with_the_line_by_line_reader():
    for path in REAL_FILES:
        text = block_text(path.read_bytes())
        assert in_blocks([text]) == line_by_line(text)


# --- writing ----------------------------------------------------------------------------------

# No ASCII capitals (so that no value looks like a tag) and no control or line characters.
letters = st.characters(
    blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
    blacklist_characters="ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)
word = st.text(letters, min_size=1, max_size=12)
phrase = st.lists(word, min_size=1, max_size=8).map(" ".join)
maybe = st.one_of(st.just(""), phrase)
token = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)


def title_like(text: str) -> bool:
    return not text.endswith(".")  # PubMed's closing period cannot be told from the title's


def person_like(family: str) -> bool:
    return "," not in family and not re.fullmatch(r"et\.? al\.?", family, re.I)


person = st.builds(
    Creator,
    family=phrase.filter(person_like),
    given=maybe,
    role=st.sampled_from(["author", EDITOR]),
    affiliations=st.lists(phrase, max_size=2).map(tuple),
    ids=st.lists(phrase, max_size=1).map(tuple),
)
group = st.builds(Creator, literal=phrase, affiliations=st.lists(phrase, max_size=2).map(tuple))
date = st.one_of(
    st.just(PartialDate()),
    st.builds(
        lambda y, m, d, form: medline.parse_date(form.format(y=y, m=m, d=d)),
        st.integers(1800, 2100),
        st.sampled_from(["Jan", "Feb", "Sep", "Dec"]),
        st.integers(1, 28),
        st.sampled_from(["{y}", "{y} {m}", "{y} {m} {d}", "{y} Winter", "{y} {m}-Oct", "{m} {y}"]),
    ),
)
mesh = st.builds(
    Tag,
    name=phrase.filter(lambda n: "/" not in n and not n.startswith("*")),
    kind=st.just("mesh"),
    major=st.booleans(),
    qualifiers=st.lists(
        st.builds(
            MeshQualifier, phrase.filter(lambda n: "/" not in n and "*" not in n), st.booleans()
        ),
        max_size=2,
    ).map(tuple),
)
keyword = st.builds(
    Tag,
    name=phrase.filter(lambda n: not n.startswith("*")),  # a leading * is PubMed's major mark
    kind=st.just("keyword"),
    major=st.booleans(),
)
OTHER_TYPES = ("Journal Article", "Review", "Case Reports", "Comparative Study")


def unique_tags(tags: list[Tag]) -> tuple[Tag, ...]:
    seen: dict[tuple[str, str], Tag] = {}
    for tag in tags:
        seen.setdefault((tag.kind, tag.name), tag)
    return tuple(seen.values())


@st.composite
def references(draw) -> Reference:
    """A reference as refman holds it, in values MEDLINE can carry."""
    item_type = draw(st.sampled_from([ARTICLE_JOURNAL, BOOK, CHAPTER]))
    types = draw(st.lists(st.sampled_from(OTHER_TYPES), max_size=2, unique=True))
    if item_type != ARTICLE_JOURNAL:
        types.insert(0, "Book" if item_type == BOOK else "Book Chapter")
    issn_values = draw(st.lists(token, max_size=3, unique=True))
    return Reference(
        item_type=item_type,
        title=draw(maybe.filter(title_like)),
        abstract=draw(maybe),
        container_title=draw(maybe),
        container_title_short=draw(maybe),
        collection_title=draw(maybe),
        volume=draw(st.one_of(st.just(""), token)),
        issue=draw(st.one_of(st.just(""), token)),
        pages=medline.expand_pages(draw(st.sampled_from(["", "475-82", "e1042", "12", "1-9"]))),
        date=draw(date),
        doi=draw(st.one_of(st.just(""), token.map(lambda t: f"10.1234/{t}"))),
        pmid=draw(st.integers(1, 10**9).map(str)),
        pmcid=draw(st.one_of(st.just(""), st.integers(1, 10**8).map(lambda n: f"PMC{n}"))),
        issns=tuple(
            Issn(v, draw(st.sampled_from(["", "Print", "Electronic", "Linking"])))
            for v in issn_values
        ),
        isbn=draw(st.one_of(st.just(""), token)),
        language=draw(st.sampled_from(["", "eng", "fre", "ger"])),
        publisher=draw(maybe),
        place=draw(maybe) if item_type != ARTICLE_JOURNAL else "",
        creators=tuple(draw(st.lists(st.one_of(person, group), max_size=4))),
        tags=unique_tags(draw(st.lists(mesh, max_size=3)) + draw(st.lists(keyword, max_size=3))),
        publication_types=tuple(types),
    )


def written_and_read(refs: list[Reference]) -> list[Reference]:
    out = io.StringIO()
    medline.write(refs, out)
    return list(medline.read_text(out.getvalue()))


def without_source(ref: Reference) -> Reference:
    return replace(ref, source_format="", source_record=())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(references(), min_size=1, max_size=2))
def test_references_made_in_refman_survive_writing_and_reading(refs):
    assert [without_source(r) for r in written_and_read(refs)] == refs


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


# --- a field that fits on one line is written as textwrap would write it -----------------------


def wrapped_by_textwrap(tag: str, value: str) -> str:
    """``format_field`` as it was before short fields skipped textwrap: the reference."""
    width = WIDTH - len(INDENT)
    lines = textwrap.wrap(squash(value), width, break_long_words=False, break_on_hyphens=False)
    first, *rest = lines or [""]
    head = f"{tag:<4}- " if tag in medline.KNOWN_TAGS or len(tag) < 4 else f"{tag} - "
    return "\n".join([(head + first).rstrip()] + [INDENT + line for line in rest])


spacey_text = st.text(
    st.sampled_from(list("ab -\t\n\r\x0b\x0c\xa0\u2009\u3000\x1c")) | st.characters(),
    max_size=120,
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["TI", "AB", "PMID", "XYZW", "AU"]), spacey_text)
def test_fields_are_written_as_textwrap_lays_them_out(tag, value):
    assert medline.format_field(tag, value) == wrapped_by_textwrap(tag, value)

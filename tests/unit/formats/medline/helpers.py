"""What the MEDLINE tests share: sample files and records, small readers and writers, and the
hypothesis strategies for MEDLINE-like text and for references MEDLINE can carry."""

import io
import re
from dataclasses import replace

from Bio import Medline
from hypothesis import strategies as st

import refman.formats.medline as medline
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
from tests.samples import DATA, PUBMED_FILES, SEED_FILE

FIXTURES = DATA / "medline"


REAL_FILES = sorted([*DATA.glob("*.nbib"), *DATA.glob("pubmed_result*.txt"), SEED_FILE])


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


def write_text(refs) -> str:
    out = io.StringIO()
    medline.write(refs, out)
    return out.getvalue()


# --- real records and MEDLINE-like text -------------------------------------------------------


def _record_texts() -> list[str]:
    """Every real record in PubMed's layout, the seed as the writer lays it out."""
    texts = []
    for path in PUBMED_FILES:
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        texts += [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    seed = io.StringIO()
    medline.write(medline.read(SEED_FILE), seed)
    return texts + [seed.getvalue().strip("\n")]


RECORDS = _record_texts()


def _eric_texts() -> list[str]:
    """The ERIC records of Zotero's cases: reports, a thesis and a book in this layout."""
    texts = []
    for number in (5, 7, 8):
        text = (DATA / f"zotero-case-0{number}.nbib").read_text("utf-8").replace("\r\n", "\n")
        texts += [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    return texts


ERIC_RECORDS = _eric_texts()


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


# --- references in values MEDLINE can carry ---------------------------------------------------


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


# The PT the writer gives each type (publication_types).
TYPE_PT = {
    BOOK: "Book",
    CHAPTER: "Book Chapter",
    "report": "Technical Report",
    "thesis": "Dissertations/Theses",
}


OTHER_TYPES = ("Journal Article", "Review", "Case Reports", "Comparative Study")


def unique_tags(tags: list[Tag]) -> tuple[Tag, ...]:
    seen: dict[tuple[str, str], Tag] = {}
    for tag in tags:
        seen.setdefault((tag.kind, tag.name), tag)
    return tuple(seen.values())


@st.composite
def references(draw) -> Reference:
    """A reference as refman holds it, in values MEDLINE can carry."""
    item_type = draw(st.sampled_from([ARTICLE_JOURNAL, BOOK, CHAPTER, "report", "thesis"]))
    types = draw(st.lists(st.sampled_from(OTHER_TYPES), max_size=2, unique=True))
    if item_type != ARTICLE_JOURNAL:
        types.insert(0, TYPE_PT[item_type])
    issn_values = draw(st.lists(token, max_size=3, unique=True))
    return Reference(
        item_type=item_type,
        title=draw(maybe.filter(title_like)),
        abstract=draw(maybe),
        # A book or report has no container in MEDLINE (ERIC's JT names their publisher),
        # nor has a thesis.
        container_title=draw(maybe) if item_type in (ARTICLE_JOURNAL, CHAPTER) else "",
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


# --- Biopython's Bio.Medline, a second opinion on files in PubMed's layout --------------------


PUBMED_LAYOUT = [
    *PUBMED_FILES,
    FIXTURES / "crlf.nbib",
    FIXTURES / "no_final_newline.nbib",
    FIXTURES / "book.nbib",
    FIXTURES / "book_chapter.nbib",
    FIXTURES / "collective_authors.nbib",
    FIXTURES / "au_only.nbib",
    FIXTURES / "ids.nbib",
]


# The tags Bio.Medline joins into one string; every other tag is a list of values.
BIO_TEXT_TAGS = frozenset(
    (
        *("ID", "PMID", "SO", "RF", "NI", "JC", "TA", "IS", "CY", "TT", "CA", "IP", "VI", "DP"),
        *("YR", "PG", "LID", "DA", "LR", "OWN", "STAT", "DCOM", "PUBM", "DEP", "PL", "JID", "SB"),
        *("PMC", "EDAT", "MHDA", "PST", "AB", "EA", "TI", "JT"),
    )
)


def biopython_shape(fields) -> dict:
    """Raw fields in Bio.Medline's record shape: a string for text tags, else a list."""
    grouped: dict[str, list[str]] = {}
    for tag, value in fields:
        grouped.setdefault(tag, []).append(value)
    return {t: " ".join(v) if t in BIO_TEXT_TAGS else v for t, v in grouped.items()}


def collapsed(value) -> str:
    text = " ".join(value) if isinstance(value, list) else value
    return re.sub(r"\s+", " ", text).strip()


def biopython_records(text: str) -> list[dict]:
    return [dict(r) for r in Medline.parse(io.StringIO(text, newline=""))]


def assert_same_records(mine: list[dict], theirs: list[dict]) -> None:
    assert len(mine) == len(theirs)
    for ours, bio in zip(mine, theirs, strict=True):
        assert ours.keys() == bio.keys()
        for tag, value in bio.items():
            assert collapsed(ours[tag]) == collapsed(value), tag
            if isinstance(value, list) and len(value) == len(ours[tag]):
                assert [collapsed(v) for v in ours[tag]] == [collapsed(v) for v in value], tag

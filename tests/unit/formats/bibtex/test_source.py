"""Round trips through refman's BibTeX and BibLaTeX writers and the reader, and imported
entries given back with only edited fields replaced."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from refman.formats.bibtex import write_biblatex, write_bibtex
from refman.model import Creator, PartialDate, Reference, Tag
from tests.samples import ALL
from tests.unit.formats.bibtex.helpers import read

WRITERS = {"bibtex": write_bibtex, "biblatex": write_biblatex}

# What each format cannot hold (the README's list): fields compared apart from these.
NOT_HELD = {
    "source_format",
    "source_record",
    "publication_types",  # MEDLINE's PT lines
    "issns",  # compared by value: the kind (print, electronic) is not written
    "tags",  # compared by name: kind, major topic and qualifiers are not written
    "abstract",  # compared on one line: line breaks are not written
    "pages",  # compared with hyphens: a range is written with --, read as -
    "date",  # compared without the season (and for BibTeX without the day)
    "item_type",  # several types share misc (BibTeX) or online (BibLaTeX)
    "container_title_short",  # BibTeX has no field for it
    "place",  # a journal's place (MEDLINE: its country) is not written
    "citation_key",  # read back from the entry: the originals here were never stored
}


def written(refs, fmt: str) -> str:
    out = io.StringIO()
    WRITERS[fmt](refs, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", WRITERS)
def test_export_read_export_gives_the_same_file(fmt):
    first = written(ALL, fmt)
    refs, problems = read(first)
    assert problems == []
    assert written(refs, fmt) == first


def _held(ref: Reference, fmt: str) -> dict:
    date = ref.date
    return {
        "issns": [i.value for i in ref.issns],
        "tags": [t.name for t in ref.tags],
        "abstract": " ".join(ref.abstract.split()),
        "pages": ref.pages.replace("\u2013", "-"),
        "date": (date.year, date.month, date.day if fmt == "biblatex" else None),
    }


@pytest.mark.parametrize("fmt", WRITERS)
def test_items_come_back_equal_field_by_field(fmt):
    refs, _ = read(written(ALL, fmt))
    for original, back in zip(ALL, refs, strict=True):
        for field in dataclasses.fields(Reference):
            if field.name not in NOT_HELD:
                assert getattr(back, field.name) == getattr(original, field.name), field.name
        assert _held(back, fmt) == _held(original, fmt)


IMPORTED = """@book{hicks2001,
  author = {von Hicks, III, Michael},
  title = {Design of a {GLAST} Grid},
  publisher = {Stanford Press},
  year = 2001,
  month = mar,
  edition = {1st},
  note = {Signed copy},
}
"""


@pytest.mark.parametrize("fmt", WRITERS)
def test_an_imported_entry_is_given_back_with_its_key_and_unknown_fields(fmt):
    (ref,), _ = read(IMPORTED)
    text = written([ref], fmt)
    assert text.startswith("@book{hicks2001,\n")
    assert "  title = {Design of a {GLAST} Grid},\n" in text
    assert "  month = mar,\n" in text
    assert "  edition = {1st},\n  note = {Signed copy}\n" in text


def test_an_edited_field_alone_is_replaced_in_place():
    (ref,), _ = read(IMPORTED)
    edited = ref.with_changes(title="A New Title", date=PartialDate(2002))
    text = written([edited], "bibtex")
    assert text == (
        "@book{hicks2001,\n"
        "  author = {von Hicks, III, Michael},\n"
        "  title = {A New Title},\n"
        "  publisher = {Stanford Press},\n"
        "  year = {2002},\n"
        "  edition = {1st},\n"
        "  note = {Signed copy}\n"
        "}\n"
    )


def test_a_biblatex_entry_is_not_given_back_as_bibtex():
    (ref,), _ = read("@online{w, title = {Site}, url = {https://x.org}, urldate = {2020-01-01}}")
    assert "urldate" not in written([ref], "bibtex")
    assert "urldate = {2020-01-01}" in written([ref], "biblatex")


def test_a_name_suffix_is_written_as_the_jr_part_and_read_back():
    ref = Reference(title="T", creators=(Creator("Hellinger", "Frank R Jr"),))
    text = written([ref], "bibtex")
    assert "author = {Hellinger, Jr, Frank R}" in text
    (back,), _ = read(text)
    assert back.creators == ref.creators


def test_keywords_with_commas_survive_a_round_trip():
    tags = (Tag("Neoplasms, Experimental", "mesh"), Tag("Humans", "mesh"), Tag("A; B", "keyword"))
    ref = Reference(title="T", tags=tags)
    for fmt in WRITERS:
        text = written([ref], fmt)
        assert "{Neoplasms, Experimental}, Humans, A; B" in text
        (back,), _ = read(text)
        assert [t.name for t in back.tags] == [t.name for t in tags]


# --- any text ----------------------------------------------------------------------------------

# Text with what means something to BibTeX or LaTeX drawn often, letters with accents, Greek.
any_text = st.text(
    st.sampled_from(list('{}\\@%&$#_~^,="() -') + list("éüßøÅłçñαβΩ–—"))
    | st.characters(codec="ascii", categories=("L", "N")),
    max_size=30,
).map(lambda text: " ".join(text.split()))


@settings(max_examples=300, deadline=None)
@given(title=any_text, family=any_text, given_name=any_text, group=any_text, tag=any_text)
def test_any_text_comes_back_as_it_was(title, family, given_name, group, tag):
    # A family name alone that needs braces reads back as a group (BibTeX has one form for
    # both), and a hyphen beside a dash makes a longer dash: both said in the README.
    assume(not re.search("[-–—]{2}", " ".join((title, tag, family, given_name, group))))
    person = Creator(family, given_name or "Ann")
    creators = tuple(c for c in (person, Creator(literal=group)) if c.family or c.literal)
    ref = Reference(title=title, creators=creators, tags=(Tag(tag, "keyword"),) if tag else ())
    for fmt in WRITERS:
        text = written([ref], fmt)
        (back,), problems = read(text)
        assert problems == []
        assert back.title == ref.title
        assert [t.name for t in back.tags] == [t.name for t in ref.tags]
        assert back.creators == ref.creators
        assert written([back], fmt) == text

"""The BibTeX reader: strings, concatenation, crossref, comments, encodings and bad input."""

from __future__ import annotations

import codecs
import io
import tracemalloc
from collections.abc import Iterator

import pytest

from refman.formats.bibtex import read_numbered
from refman.formats.bibtex.split import MAX_BLOCK_CHARS, MAX_DEPTH
from refman.model import ParseError
from tests.unit.formats.bibtex.helpers import lines, read

ENTRY = "@article{k1,\n  title = {Caf{\\'e} of {DNA}},\n  author = {M{\\\"u}ller, Hans},\n}\n"


def entry(key: str, title: str = "A title") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  year = 2020,\n}}\n"


def test_strings_and_concatenation_are_put_in():
    text = (
        '@string{jn = "Journal of " # "Things"}\n'
        "@STRING(Who = {Smith, Jane})\n"
        "@article{a, journal = JN # { Today}, author = who, month = mar, year = 2001}\n"
    )
    (ref,), problems = read(text)
    assert ref.container_title == "Journal of Things Today"
    assert [(c.family, c.given) for c in ref.creators] == [("Smith", "Jane")]
    assert (ref.date.year, ref.date.month) == (2001, 3)
    assert ("month", "mar") in ref.source_record  # the macro, as BibTeX writes it
    assert problems == []


def test_comments_and_preambles_are_skipped():
    text = '% a comment\n@comment{x = {y}}\n@preamble{ "\\newcommand" }\nfree text\n' + entry("a")
    (ref,), problems = read(text)
    assert ref.title == "A title" and problems == []


def test_latex_becomes_unicode_and_protected_capitals_lose_their_braces():
    (ref,), _ = read(ENTRY)
    assert ref.title == "Café of DNA"
    assert ref.creators[0].family == "Müller"
    assert ("title", "Caf{\\'e} of {DNA}") in ref.source_record  # the braces are kept there


def test_names_with_von_jr_and_collective_authors():
    names = "von Hicks, III, Michael and {World Health Organization} and Ludwig van Beethoven"
    text = "@book{b, author = {" + names + " and others}}"
    (ref,), _ = read(text)
    assert [(c.family, c.given, c.literal) for c in ref.creators] == [
        ("von Hicks", "Michael III", ""),
        ("", "", "World Health Organization"),
        ("van Beethoven", "Ludwig", ""),
    ]


def test_crossref_fills_a_child_from_a_parent_that_comes_after_it():
    text = (
        "@inproceedings{child, title = {Paper}, crossref = {conf}, pages = {1--2}}\n"
        "@proceedings{conf, title = {Proc. of X}, editor = {Doe, Ann}, year = 1999,"
        " publisher = {ACM}}\n"
    )
    refs, problems = read(text)
    paper = next(r for r in refs if r.title == "Paper")
    assert paper.container_title == "Proc. of X"
    assert paper.publisher == "ACM" and paper.date.year == 1999
    assert [c.family for c in paper.editors()] == ["Doe"]
    assert not any(tag == "crossref" for tag, _ in paper.source_record)
    assert problems == []


def test_a_crossref_to_no_entry_is_said_and_the_child_kept():
    refs, problems = read("@inproceedings{c, title = {Paper}, crossref = {nowhere}}\n")
    assert [r.title for r in refs] == ["Paper"]
    assert [(p.line, "nowhere" in p.message) for p in problems] == [(1, True)]


@pytest.mark.parametrize(
    "kind, item_type",
    [
        ("article", "article-journal"),
        ("book", "book"),
        ("mvbook", "book"),
        ("inbook", "chapter"),
        ("incollection", "chapter"),
        ("inproceedings", "paper-conference"),
        ("conference", "paper-conference"),
        ("techreport", "report"),
        ("report", "report"),
        ("phdthesis", "thesis"),
        ("mastersthesis", "thesis"),
        ("online", "webpage"),
        ("dataset", "dataset"),
        ("unpublished", "article"),
        ("misc", "document"),
        ("patent", "document"),
        ("somethingelse", "document"),
    ],
)
def test_every_entry_type_maps_to_an_item_type(kind, item_type):
    (ref,), _ = read(f"@{kind}{{k, title = {{T}}}}")
    assert ref.item_type == item_type


def test_unknown_fields_are_kept_in_the_source_record():
    (ref,), _ = read("@book{k, title = {T}, edition = {2nd}, note = {Signed copy}}")
    assert ref.source_record == (
        ("ENTRYTYPE", "book"),
        ("ID", "k"),
        ("title", "T"),
        ("edition", "2nd"),
        ("note", "Signed copy"),
    )


def test_biblatex_fields_are_read():
    text = (
        "@article{k, title = {T}, subtitle = {S}, journaltitle = {J}, date = {2020-05-17/2020-06},"
        " location = {Paris}, eprinttype = {pubmed}, eprint = {123}, langid = {french},"
        " keywords = {{Neoplasms, Experimental}, Humans}}"
    )
    (ref,), _ = read(text)
    assert ref.title == "T: S" and ref.container_title == "J"
    assert (ref.date.year, ref.date.month, ref.date.day) == (2020, 5, 17)
    assert ref.pmid == "123" and ref.language == "fre" and ref.place == "Paris"
    assert [t.name for t in ref.tags] == ["Neoplasms, Experimental", "Humans"]
    assert ref.source_format == "biblatex"


def test_each_reference_comes_with_its_line():
    text = "% head\n\n" + entry("a") + "\n" + entry("b")
    assert lines(text) == [3, 8]


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        ENTRY.encode("utf-16"),
        codecs.BOM_UTF16_BE + ENTRY.encode("utf-16-be"),
        codecs.BOM_UTF8 + ENTRY.encode(),
        ENTRY.replace("\n", "\r\n").encode(),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-8-bom", "crlf"],
)
def test_encodings_and_line_ends(data):
    (ref,), problems = read(data)
    assert ref.title == "Café of DNA" and problems == []


def test_windows_1252_text_is_read():
    data = "@book{k, title = {Café – naïve}, author = {Øster, Åse}}\n".encode("cp1252")
    (ref,), _ = read(data)
    assert ref.title == "Café – naïve"
    assert ref.creators[0].family == "Øster"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "it is empty"),
        (b"TY  - JOUR\nER  - \n", "no entry"),
        (b"PMID- 1\nTI  - x\n", "no entry"),
        (b"\x00\x01\x02@article{", "it is a binary"),
    ],
)
def test_a_file_that_is_not_bibtex_raises_on_the_first_next(data, reason):
    reader = read_numbered(io.BytesIO(data), name="f.bib", on_problem=print)
    with pytest.raises(ParseError, match=f"f.bib: this is not a BibTeX file \\({reason}"):
        next(reader)


def test_a_truncated_file_keeps_the_entries_before_the_cut():
    text = entry("a") + entry("b")[:25]
    refs, problems = read(text)
    assert [r.title for r in refs] == ["A title"]
    assert [(p.line, p.path) for p in problems] == [(5, "in.bib")]
    assert "@article{b" in problems[0].message and "cut short" in problems[0].message


def test_an_unclosed_entry_is_said_and_the_next_one_read():
    text = "@article{a,\n  title = {Open {brace},\n" + entry("b", "Next")
    refs, problems = read(text)
    assert [r.title for r in refs] == ["Next"]
    assert [p.line for p in problems] == [1]
    assert "not closed" in problems[0].message


def test_braces_nested_too_deep_are_said_without_recursion():
    deep = "{" * (MAX_DEPTH * 50) + "x" + "}" * (MAX_DEPTH * 50)
    text = entry("a") + f"@article{{deep,\n title = {deep}}}\n" + entry("c", "After")
    refs, problems = read(text)
    assert [r.title for r in refs] == ["A title", "After"]
    assert [p.line for p in problems] == [5]
    assert "@article{deep" in problems[0].message and "nested" in problems[0].message


def test_an_entry_with_a_broken_field_is_said():
    refs, problems = read("@article{a title = {T}}\n" + entry("b"))
    assert [r.title for r in refs] == ["A title"]
    assert [p.line for p in problems] == [1]


def test_control_characters_are_removed():
    (ref,), _ = read("@article{a, title = {Bad\x1b[31m red\x07}}")
    assert ref.title == "Bad[31m red"


class _Generated(io.RawIOBase):
    """A stream of ``count`` entries made as they are read: a big file never held whole."""

    def __init__(self, count: int, title_chars: int = 0):
        self._parts: Iterator[bytes] = (
            entry(f"k{i}", "word " * (title_chars // 5) or "T").encode() for i in range(count)
        )
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self._rest) < len(buffer):
            part = next(self._parts, None)
            if part is None:
                break
            self._rest += part
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def _peak_reading(stream: io.RawIOBase) -> tuple[int, int, list]:
    tracemalloc.start()
    try:
        problems: list = []
        count = sum(
            1
            for _ in read_numbered(
                io.BufferedReader(stream), name="big.bib", on_problem=problems.append
            )
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak, problems


def test_a_big_file_is_read_in_bounded_memory():
    count, peak, problems = _peak_reading(_Generated(3000, title_chars=2000))  # 6 MB
    assert count == 3000 and problems == []
    assert peak < 4 * 2**20


def test_an_entry_longer_than_the_limit_is_said_in_bounded_memory():
    huge = entry("huge", "x" * (MAX_BLOCK_CHARS + 10)).encode()
    stream = io.BytesIO(entry("a").encode() + huge + entry("b").encode())
    tracemalloc.start()
    try:
        problems: list = []
        refs = list(read_numbered(stream, name="big.bib", on_problem=problems.append))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(refs) == 2
    assert [p.line for p in problems] == [5] and "longer than" in problems[0].message
    assert peak < len(huge) * 2  # the stream's bytes, not the text as well


class _HundredMegabytes(io.RawIOBase):
    """100 MB of entries made as they are read, each with a 1 MB abstract."""

    ENTRY_CHARS = 2**20
    COUNT = 100

    def __init__(self) -> None:
        words = "lorem ipsum dolor sit amet " * (self.ENTRY_CHARS // 27)
        self._entries = (
            f"@article{{k{i},\n  title = {{T {i}}},\n  abstract = {{{words}}}\n}}\n".encode()
            for i in range(self.COUNT)
        )
        self._rest = b""
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._at >= len(self._rest):
            self._rest, self._at = next(self._entries, b""), 0
        size = min(len(buffer), len(self._rest) - self._at)
        buffer[:size] = self._rest[self._at : self._at + size]
        self._at += size
        return size


def test_a_100_mb_file_is_read_in_bounded_memory():
    stream = io.BufferedReader(_HundredMegabytes(), buffer_size=1 << 16)
    tracemalloc.start()
    try:
        problems: list = []
        count = 0
        for _, ref in read_numbered(stream, name="big.bib", on_problem=problems.append):
            assert len(ref.abstract) > _HundredMegabytes.ENTRY_CHARS * 0.9
            count += 1
            del ref
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == _HundredMegabytes.COUNT and problems == []
    # Some twenty copies of one entry (the splitter's, bibtexparser's, the values'), never more
    # than one entry at a time: a file's size does not count.
    assert peak < 32 * _HundredMegabytes.ENTRY_CHARS


def test_xdata_and_set_entries_are_not_items():
    text = "@xdata{x, publisher = {P}}\n@set{s, entryset = {a,b}}\n" + entry("a")
    refs, problems = read(text)
    assert [r.title for r in refs] == ["A title"] and problems == []


def test_strings_and_waiting_children_are_held_within_a_bound(monkeypatch):
    monkeypatch.setattr("refman.formats.bibtex.read.MAX_HELD_CHARS", 30)
    text = (
        "@string{a = {" + "x" * 20 + "}}\n@string{b = {" + "y" * 20 + "}}\n"
        "@inproceedings{c, title = {" + "z" * 40 + "}, crossref = {p}}\n"
        "@proceedings{p, title = {Proc}}\n"
        "@article{d, title = a # b}\n"
    )
    refs, problems = read(text)
    assert sorted(r.title for r in refs) == ["Proc", "x" * 20 + "b", "z" * 40]
    assert [p.line for p in problems] == [2, 3]
    assert "too many strings" in problems[0].message and "'p'" in problems[1].message


def test_a_block_the_parser_fails_on_is_a_problem(monkeypatch):
    def fail(self):
        raise RuntimeError("parser state")

    monkeypatch.setattr("refman.formats.bibtex.read.Splitter.split", fail)
    refs, problems = read(entry("a") + entry("b"))
    assert refs == []
    assert [(p.line, "@article{a cannot be read" in p.message) for p in problems] == [
        (1, True),
        (5, False),
    ]

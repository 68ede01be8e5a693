"""Reading RIS files: layouts and encodings as programs write them, records that are not closed,
text outside records, the limits on what a record keeps, and input that is not RIS."""

import codecs
import importlib
import io
import tracemalloc

import pytest

from refman.formats import ris
from refman.formats.ris.read import CHUNK_BYTES, LONGEST_LINE, read_raw
from refman.model import ParseError, Problem

RECORD = "TY  - JOUR\nAU  - Smith, Anne\nTI  - A title\nPY  - 2020\nER  - \n"


def read(data: bytes, name: str = "refs.ris") -> tuple[list, list[tuple[int | None, str]]]:
    problems: list[Problem] = []
    refs = list(ris.read_numbered(io.BytesIO(data), name=name, on_problem=problems.append))
    assert all(p.path == name for p in problems)
    return refs, [(p.line, p.message) for p in problems]


def titles(data: bytes) -> list[str]:
    refs, problems = read(data)
    assert problems == []
    return [ref.title for _, ref in refs]


# --- layouts --------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_any_line_end_is_read(end):
    data = (RECORD + "\n" + RECORD.replace("A title", "Another")).replace("\n", end).encode()
    refs, problems = read(data)
    assert problems == []
    assert [(line, ref.title) for line, ref in refs] == [(1, "A title"), (7, "Another")]
    assert refs[0][1].date.year == 2020


def test_a_cr_and_its_lf_split_between_chunks_make_one_line_end():
    filler = "N1  - " + "x" * (CHUNK_BYTES - len("TY  - JOUR\r\n") - len("N1  - ") - 1)
    data = f"TY  - JOUR\r\n{filler}\r\nTI  - After the chunk\r\nER  - \r\n".encode()
    assert data.index(b"\r\nTI") == CHUNK_BYTES - 1
    refs, problems = read(data)
    assert problems == []
    assert refs[0][1].title == "After the chunk"
    assert [tag for tag, _ in refs[0][1].source_record] == ["TY", "N1", "TI"]


@pytest.mark.parametrize(
    "prefix",
    [codecs.BOM_UTF8, b""],
    ids=["bom", "no-bom"],
)
def test_a_utf8_byte_order_mark_is_not_part_of_the_first_tag(prefix):
    refs, problems = read(prefix + "TY  - JOUR\r\nTI  - Ça va\r\nER  - \r\n".encode())
    assert problems == [] and refs[0][1].title == "Ça va"
    assert refs[0][1].source_record[0] == ("TY", "JOUR")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(encoding):
    text = "\ufeff" + RECORD.replace("A title", "Größe und Maß")
    data = text.encode(encoding)
    assert data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    assert titles(data) == ["Größe und Maß"]


def test_windows_1252_is_read_when_a_line_is_not_utf8():
    data = RECORD.replace("A title", "Café “quoted” – naïve").encode("cp1252")
    assert titles(data) == ["Café “quoted” – naïve"]


def test_mac_roman_is_read_when_it_gives_the_words_their_letters():
    """An old EndNote file from a Mac: é is 0x8E, ü is 0x9F (in Windows-1252: Ž and Ÿ)."""
    data = RECORD.replace("A title", "Über die Physiologie der Gefäße").encode("mac_roman")
    assert titles(data) == ["Über die Physiologie der Gefäße"]


def test_one_space_before_the_hyphen_and_no_space_after_an_empty_value():
    """Zotero's case 4 (an EndNote export): ``TY - JOUR`` and ``ER -``."""
    assert titles(b"TY - JOUR\nTI - A title\nER -\n") == ["A title"]


def test_continuation_lines_continue_the_value():
    data = (
        b"TY  - JOUR\nT1  - Blood-brain barrier breach following\ncortical contusion\n"
        b"AB  - First paragraph.\n\nSecond paragraph.\nKW  - one\ntwo\nER  - \n"
    )
    ((line, ref),) = read(data)[0]
    assert ref.title == "Blood-brain barrier breach following cortical contusion"
    assert ref.abstract == "First paragraph. Second paragraph."
    assert [t.name for t in ref.tags] == ["one", "two"]
    # The record keeps the lines as they were, for the writer to give back.
    assert ("AB", "First paragraph.\n\nSecond paragraph.") in ref.source_record
    assert ("KW", "one\ntwo") in ref.source_record


def test_header_text_before_the_first_record_is_skipped_quietly():
    data = (
        b'Provider: Ovid Technologies\nDatabase: Embase\nContent: text/plain; charset="UTF-8"\n\n'
    )
    assert titles(data + RECORD.encode()) == ["A title"]


def test_control_characters_are_removed_from_values():
    assert titles(b"TY  - JOUR\nTI  - A \x1b[31mred\x07 title\nER  - \n") == ["A [31mred title"]


# --- records that are not closed, text outside records -----------------------------------------


def test_a_record_without_er_is_kept_and_reported_where_it_starts():
    data = (RECORD.replace("ER  - \n", "") + RECORD.replace("A title", "Second")).encode()
    refs, problems = read(data)
    assert [(line, ref.title) for line, ref in refs] == [(1, "A title"), (5, "Second")]
    assert problems == [
        (
            1,
            "the record starting at line 1 has no ER line before the next record at line 5; "
            "it was read up to there",
        )
    ]


def test_a_truncated_file_keeps_what_its_last_record_holds_and_says_it_may_be_cut():
    data = (RECORD + "TY  - BOOK\nTI  - Cut sho").encode()
    refs, problems = read(data)
    assert [ref.title for _, ref in refs] == ["A title", "Cut sho"]
    assert problems == [
        (
            6,
            "the file ends inside the record starting at line 6 (no ER line): it may be cut "
            "short; what it holds was read",
        )
    ]


def test_tag_lines_before_a_ty_are_read_as_a_record_of_unknown_type():
    data = (RECORD + "TI  - No type\nER  - \n").encode()
    refs, problems = read(data)
    assert [(ref.title, ref.item_type) for _, ref in refs][1] == ("No type", "document")
    assert problems == [
        (
            6,
            "the record at line 6 does not start with a TY line; it was read as a record of "
            "unknown type",
        )
    ]


def test_text_between_records_is_skipped_and_reported_once():
    data = (RECORD + "some stray text\nmore of it\n" + RECORD).encode()
    refs, problems = read(data)
    assert len(refs) == 2
    assert problems == [(6, "text outside any record (no TY line before it) was skipped")]


def test_an_er_without_a_record_is_reported():
    refs, problems = read((RECORD + "ER  - \n").encode())
    assert len(refs) == 1
    assert problems == [(6, "an ER line without a record before it was skipped")]


# --- limits: bounded memory, cut values --------------------------------------------------------


class _Generated(io.RawIOBase):
    """A stream of ``size`` bytes made as it is read: a record whose abstract runs on over
    continuation lines, then a second record (a 100 MB file never held in memory)."""

    def __init__(self, size: int):
        self.head = b"TY  - JOUR\nTI  - Huge\nAB  - start\n"
        self.tail = b"ER  - \nTY  - JOUR\nTI  - After the huge one\nER  - \n"
        self.line = b"word " * 15 + b"\n"
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            data, self.head = self.head, b""
        elif self.left > 0:
            data = self.line * min(1 + len(buffer) // len(self.line), 1 + self.left // 80)
            self.left -= len(data)
        else:
            data, self.tail = self.tail, b""
        data = data[: len(buffer)]
        buffer[: len(data)] = data
        return len(data)


def test_a_100_mb_file_is_read_in_bounded_memory_and_its_huge_value_cut():
    stream = io.BufferedReader(_Generated(100 * 2**20))
    problems: list[Problem] = []
    tracemalloc.start()
    try:
        refs = list(ris.read(stream, name="big.ris", on_problem=problems.append))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [ref.title for ref in refs] == ["Huge", "After the huge one"]
    assert ris.MAX_FIELD_CHARS - 100 < len(refs[0].abstract) <= ris.MAX_FIELD_CHARS
    assert [p.message for p in problems] == [
        f"a value longer than {ris.MAX_FIELD_CHARS:,} characters was cut short there"
    ]
    # The kept million characters in lines, joined and squashed: a few copies, not 100 MB.
    assert peak < 32 * 2**20


def test_a_line_longer_than_the_reader_holds_is_cut_and_the_file_goes_on():
    text = "é€" * (LONGEST_LINE // 4)  # multibyte characters: cut between them
    refs, problems = read(f"TY  - JOUR\nTI  - {text}\nLA  - eng\nER  - \n".encode())
    ((_, ref),) = refs
    assert ref.title == text[: ris.MAX_FIELD_CHARS] and ref.language == "eng"
    assert problems == [
        (2, f"a value longer than {ris.MAX_FIELD_CHARS:,} characters was cut short there")
    ]


def test_a_record_with_too_many_fields_keeps_the_first_ones(monkeypatch):
    monkeypatch.setattr(importlib.import_module("refman.formats.ris.read"), "MAX_RECORD_FIELDS", 5)
    data = "TY  - JOUR\nTI  - Many keywords\n" + "".join(f"KW  - k{n}\n" for n in range(10))
    refs, problems = read((data + "ER  - \n").encode())
    assert [t.name for t in refs[0][1].tags] == ["k0", "k1", "k2"]
    assert problems == [
        (1, "the record starting at line 1 has more than 5 fields; the last 7 were dropped")
    ]


# --- not RIS --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "it is empty"),
        (b"PMID- 123\nTI  - A MEDLINE record\n", "its first tag is TI, not TY"),
        (b"@article{key,\n title={x}}\n", "no RIS tag lines such as TY  - JOUR were found"),
        (b"\x00\x01\x02\x03", "it is a binary file, not text"),
    ],
    ids=["empty", "medline", "bibtex", "binary"],
)
def test_a_file_that_is_not_ris_raises_a_parse_error_naming_it(data, reason):
    with pytest.raises(ParseError) as raised:
        next(ris.read_numbered(io.BytesIO(data), name="x.txt", on_problem=lambda p: None))
    assert str(raised.value) == f"x.txt: this is not an RIS file ({reason})"


def test_a_missing_file_and_a_folder_are_parse_errors(tmp_path):
    with pytest.raises(ParseError, match="the file does not exist"):
        next(read_raw(tmp_path / "missing.ris"))
    with pytest.raises(ParseError, match="this is a folder"):
        next(read_raw(tmp_path))


def test_text_is_read_as_a_file_is():
    refs = list(ris.read_text("\ufeff" + RECORD.replace("\n", "\r\n")))
    assert [ref.title for ref in refs] == ["A title"]
    with pytest.raises(ParseError, match="clipboard: this is not RIS text"):
        next(ris.read_text("hello"))


def test_a_record_that_holds_nothing_but_its_type_is_skipped():
    refs, problems = read(("TY  - JOUR\nER  - \nTY  - GEN\nTI  - \nER  - \n" + RECORD).encode())
    assert [(line, ref.title) for line, ref in refs] == [(6, "A title")]
    assert problems == [
        (1, "this record holds nothing but its type and was skipped"),
        (3, "this record holds nothing but its type and was skipped"),
    ]

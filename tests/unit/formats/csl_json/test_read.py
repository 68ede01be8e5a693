"""Reading CSL-JSON files: items one at a time with their lines, and bad input of every kind."""

import codecs
import io
import itertools
import json
import re
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.formats.csl_json.read import CHUNK_BYTES, read_items
from refman.model import ParseError, Problem, RefmanError

ITEM = {"id": "a", "type": "book", "title": "A"}


def items_and_problems(data: bytes, **limits: int) -> tuple[list[tuple[int, str]], list[tuple]]:
    """(line, title) of each item read, and (line, message) of each problem."""
    problems: list[Problem] = []
    found = [
        (line, item.get("title"))
        for line, item in read_items(io.BytesIO(data), "in.json", problems.append, **limits)
    ]
    assert all(p.path == "in.json" for p in problems)
    return found, [(p.line, p.message) for p in problems]


def titles(data: bytes) -> list[str]:
    return [title for _, title in items_and_problems(data)[0]]


# --- shapes ----------------------------------------------------------------------------------


def test_items_come_with_the_line_they_start_on():
    data = b'[\n  {"title": "A"},\n\n  {\n    "title": "B"\n  }\n]\n'
    assert items_and_problems(data) == ([(2, "A"), (4, "B")], [])


def test_one_item_alone_and_json_lines():
    assert titles(b'{"title": "A", "type": "book"}') == ["A"]
    assert titles(b'{"title": "A"}\n{"title": "B"}\n') == ["A", "B"]


def test_crossref_api_messages_are_unwrapped():
    one = {"status": "ok", "message-type": "work", "message": {"title": ["A"]}}
    many = {"message-type": "work-list", "message": {"items": [{"title": "A"}, {"DOI": "x"}]}}
    assert titles(json.dumps(one).encode()) == [["A"]]
    assert titles(json.dumps(many).encode()) == ["A", None]


def test_an_empty_list_holds_no_items_and_no_problem():
    assert items_and_problems(b" [ ]\n") == ([], [])


def test_common_breakage_between_items_is_tolerated():
    assert titles(b'[{"title": "A"}, {"title": "B"},]') == ["A", "B"]  # a trailing comma
    assert titles(b'[{"title": "A"}\n{"title": "B"}]') == ["A", "B"]  # a missing comma
    assert titles(b'[{"title": "A"},, {"title": "B"}]') == ["A", "B"]
    assert titles(b'[{"title": "A\tB\nC"}]') == ["A\tB\nC"]  # raw tabs and line breaks


def test_empty_items_and_items_that_are_not_objects_are_reported_and_skipped():
    data = b'[{"title": "A"},\nnull,\n{},\n[],\n5,\n{"foo": 1},\n{"title": "B"}]'
    assert items_and_problems(data) == (
        [(1, "A"), (7, "B")],
        [
            (2, "item 2 is empty; it is skipped"),
            (3, "item 3 is empty; it is skipped"),
            (4, "item 4 is a list, not an item; it is skipped"),
            (5, "item 5 is a number, not an item; it is skipped"),
            (6, "item 6 has none of CSL's members (title, issued, DOI, page...); it is skipped"),
        ],
    )


def test_an_item_with_a_syntax_error_is_named_and_the_rest_read():
    data = b'[{"title": "A"},\n{"title": "B"\n "x": 1},\n{"title": "C"}]'
    assert items_and_problems(data) == (
        [(1, "A"), (4, "C")],
        [(2, "item 2 is not valid JSON (Expecting ',' delimiter at line 3); it is skipped")],
    )


# --- cut short -------------------------------------------------------------------------------


def test_a_file_cut_inside_an_item_keeps_the_items_before():
    data = b'[{"title": "A"},\n{"title": "B",\n "type":'
    assert items_and_problems(data) == (
        [(1, "A")],
        [(2, "the file ends inside item 2: it was cut short; the items before it are read")],
    )


def test_a_list_never_closed_is_said():
    found, problems = items_and_problems(b'\n[{"title": "A"}, {"title": "B"}\n')
    assert found == [(2, "A"), (2, "B")]
    assert problems == [
        (
            2,
            "the file ends before the list of items that starts at line 2 is closed: it may "
            "have been cut short; the items in it are read",
        )
    ]


def test_text_after_the_items_is_said_and_ignored():
    found, problems = items_and_problems(b'[{"title": "A"}]\nthe end\n')
    assert found == [(1, "A")]
    assert problems == [(2, "what follows the items is not JSON; it is ignored")]


# --- not CSL-JSON at all ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"PMID- 1\nTI  - x\n", "it does not start with [ or {"),
        (b'"a string"', "it does not start with [ or {"),
        (b"[1, 2, 3]", "it holds a number in its list, not CSL items"),
        (b'["a", "b"]', "it holds a string in its list, not CSL items"),
        (b'{"name": "refman", "version": "1"}', "its first item has none of CSL's members"),
        (b'[{"name": "refman"}, {"title": "A"}]', "its first item has none of CSL's members"),
    ],
)
def test_json_that_is_not_csl_items_is_refused_on_the_first_next(data, reason):
    with pytest.raises(ParseError, match="^in.json: this is not CSL-JSON: " + re.escape(reason)):
        next(read_items(io.BytesIO(data), "in.json"))


def test_a_folder_or_a_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(ParseError, match="this is a folder, not a CSL-JSON file"):
        next(read_items(tmp_path))
    with pytest.raises(ParseError, match="the file does not exist"):
        next(read_items(tmp_path / "missing.json"))


def test_a_stream_that_fails_while_reading_is_a_parse_error():
    class Failing(io.BytesIO):
        def read(self, size=-1):
            raise OSError("device gone")

    with pytest.raises(ParseError, match="the file cannot be read"):
        next(read_items(Failing(b"[]"), "x.json"))


# --- encodings and characters ----------------------------------------------------------------

TEXT = '[{"title": "Ünïcødé “quoted” – dash", "type": "book"}]'


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode(),
        codecs.BOM_UTF8 + TEXT.encode(),
        TEXT.encode("utf-16"),  # with its BOM
        TEXT.encode("utf-16-le"),  # without one: told by the zero bytes
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 bom", "utf-16 bom", "utf-16-le", "utf-16-be"],
)
def test_unicode_encodings_are_read(data):
    assert titles(data) == ["Ünïcødé “quoted” – dash"]


def test_windows_1252_is_read_where_it_is_not_utf8():
    assert titles(TEXT.encode("cp1252")) == ["Ünïcødé “quoted” – dash"]


def test_a_windows_1252_byte_after_many_chunks_of_utf8():
    items = [{"title": f"Ünï {n}"} for n in range(10_000)] + [{"title": "Café"}]
    data = json.dumps(items, ensure_ascii=False).encode()
    data = data.replace("Café".encode(), "Café".encode("cp1252"))
    assert len(data) > 2 * CHUNK_BYTES
    found = titles(data)
    assert found[0] == "Ünï 0" and found[-1] == "Café" and len(found) == 10_001


def test_control_characters_are_removed_raw_or_escaped():
    data = b'[{"title": "A\\u001b[31mred\\u0007 \x01x\\u0085", "note": ["\\b"]}]'
    ((line, item),) = read_items(io.BytesIO(data))
    assert item == {"title": "A[31mred x", "note": [""]}


# --- size: bounded memory --------------------------------------------------------------------


def test_items_across_many_chunks_keep_their_lines():
    items = [{"title": f"T{n}", "abstract": "x " * 500} for n in range(300)]
    data = ("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]").encode()
    found, problems = items_and_problems(data)
    assert problems == []
    assert found == [(n + 2, f"T{n}") for n in range(300)]


def test_an_item_too_large_is_skipped_without_being_held():
    """The item is 40 times the limit: the reader skips it in chunks, holding a few at most."""
    limit = 4 * CHUNK_BYTES
    huge = json.dumps({"title": "huge", "abstract": "word " * (8 * limit)})
    data = f'[{{"title": "A"}},\n{huge},\n{{"title": "B"}}]'.encode()
    tracemalloc.start()
    try:
        found, problems = items_and_problems(data, max_item_chars=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [(1, "A"), (3, "B")]
    assert problems == [
        (2, f"item 2 is too large ({len(huge):,} characters, more than {limit:,}); it is skipped")
    ]
    assert peak < len(data) // 4


def test_many_items_are_read_in_bounded_memory():
    """A file of 20 MB: the reader holds about a chunk of it, not the file."""
    item = json.dumps({"title": "T", "abstract": "word " * 200, "type": "article-journal"})
    count = 20 * 2**20 // len(item)

    class Items(io.RawIOBase):
        """The file, made as it is read: the test does not hold it either."""

        def __init__(self):
            body = itertools.repeat(f"{item},\n", count - 1)
            self.parts = itertools.chain(["["], body, [item, "]"])
            self.pending = b""

        def readable(self):
            return True

        def readinto(self, buffer):
            while len(self.pending) < len(buffer):
                part = next(self.parts, None)
                if part is None:
                    break
                self.pending += part.encode()
            size = min(len(buffer), len(self.pending))
            buffer[:size] = self.pending[:size]
            self.pending = self.pending[size:]
            return size

    tracemalloc.start()
    try:
        read_count = sum(1 for _ in read_items(io.BufferedReader(Items(), CHUNK_BYTES)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read_count == count
    assert peak < 2 * 2**20


# --- any input: items or a RefmanError, nothing else -----------------------------------------

json_ish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["title", "issued", "author", "x"]), inner, max_size=4)
    ),
    max_leaves=12,
).map(json.dumps)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(),
        json_ish.map(str.encode),
        json_ish.map(lambda t: t[: len(t) // 2].encode()),  # cut short
        json_ish.map(lambda t: t.encode("utf-16")),
    )
)
def test_any_bytes_read_or_raise_a_refman_error(data):
    problems: list[Problem] = []
    try:
        found = list(read_items(io.BytesIO(data), "x.json", problems.append))
    except RefmanError:
        return
    assert all(isinstance(item, dict) and line >= 1 for line, item in found)
    assert all(p.path == "x.json" and p.line >= 1 for p in problems)

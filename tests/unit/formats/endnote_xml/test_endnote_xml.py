"""The EndNote XML reader (the registry's reader): records in, references with their lines out,
and bad input told plainly: entities refused, cut and broken files, other encodings."""

from __future__ import annotations

import io

import pytest

from refman import formats
from refman.formats import endnote_xml
from refman.formats.xml_input import ENTITIES_REFUSED
from refman.model import ParseError, Problem
from tests.unit.formats.endnote_xml.conftest import HEAD, TAIL, ZOTERO_XML, read_bytes


def record(title: str, author: str = "Smith, Jane") -> str:
    return (
        '<record><ref-type name="Journal Article">17</ref-type>'
        f"<contributors><authors><author>{author}</author></authors></contributors>"
        f"<titles><title>{title}</title></titles></record>\n"
    )


def document(*records: str, head: str = HEAD + "\n") -> bytes:
    return (head + "".join(records) + TAIL).encode()


def test_the_registry_reads_endnote_xml_with_this_reader():
    fmt = formats.find_reader("endnote-xml")
    assert fmt.reader is endnote_xml.read_numbered and fmt.name == "EndNote XML"


def test_each_reference_comes_with_the_line_its_record_starts_on():
    read, problems = read_bytes(ZOTERO_XML[0].read_bytes())
    assert problems == []
    assert [line for line, _ in read] == [4, 29, 53, 76, 100, 121, 149, 172, 192]


def test_an_unknown_type_is_imported_as_a_document_and_said_so():
    data = document(record("First"), record("Odd").replace('"Journal Article">17', '"Hologram">99'))
    read, problems = read_bytes(data)
    assert [ref.item_type for _, ref in read] == ["article-journal", "document"]
    assert problems == [
        Problem(
            "in.xml",
            3,
            "record 2 has the reference type 'Hologram', which EndNote does not have; "
            "it was imported as a document",
        )
    ]


def test_an_empty_record_is_named_by_its_number_and_skipped():
    """EndNote writes a whole file on one line: the record's number says which it was."""
    data = (HEAD + record("First") + "<record><titles/></record>" + record("Third") + TAIL).encode()
    read, problems = read_bytes(data.replace(b"\n", b""))
    assert [ref.title for _, ref in read] == ["First", "Third"]
    assert problems == [
        Problem("in.xml", 1, "record 2 has no title, no author and no identifier: skipped")
    ]


# --- files that are not EndNote XML ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "it is empty"),
        (b"TY  - JOUR\nER  - \n", "it is not XML"),
        (b'<?xml version="1.0"?><PubmedArticleSet></PubmedArticleSet>', "root element is"),
        (b"<xml><records><record>", None),  # cut in its first record: a problem, not an error
    ],
)
def test_a_file_that_is_not_endnote_xml_is_refused_before_any_record(data, reason):
    if reason is None:
        read, problems = read_bytes(data)
        assert read == [] and "cut short" in problems[0].message
        return
    with pytest.raises(ParseError, match=reason) as error:
        read_bytes(data)
    assert error.value.path == "in.xml"


def test_the_billion_laughs_bomb_is_refused_whole():
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 or "")) * 10}">' for n in range(1, 10)
    )
    data = document(
        record("&lol9;"), head=f'<?xml version="1.0"?><!DOCTYPE xml [{lol}]><xml><records>'
    )
    with pytest.raises(ParseError) as error:
        read_bytes(data)
    assert error.value.message == ENTITIES_REFUSED


def test_an_external_entity_never_reads_the_file_it_names(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    data = document(
        record("&secret;"),
        head=f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'
        "<xml><records>",
    )
    with pytest.raises(ParseError, match="declares XML entities"):
        read_bytes(data)


def test_a_document_type_that_names_an_outside_dtd_is_not_loaded(tmp_path):
    dtd = tmp_path / "endnote.dtd"
    dtd.write_text('<!ENTITY secret "the secret">')
    data = document(
        record("Title &amp; more"),
        head=f'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "{dtd.as_uri()}"><xml><records>',
    )
    read, problems = read_bytes(data)
    assert [ref.title for _, ref in read] == ["Title & more"]
    assert problems == []


# --- damaged files -----------------------------------------------------------------------------


def test_a_cut_file_gives_the_records_before_the_cut_and_names_the_line():
    whole = ZOTERO_XML[0].read_bytes()
    cut = whole[: whole.index(b"Steve Jobs")]  # in the fifth record's title
    read, problems = read_bytes(cut)
    assert len(read) == 4
    (problem,) = problems
    assert problem.line == cut.count(b"\n") + 1  # the line the file ends on
    assert problem.message.startswith(
        "record 5: the file ends in the middle of a record (it was cut short)"
    )


def test_broken_xml_part_way_names_its_line_and_keeps_what_came_before():
    data = document(record("First"), record("Second").replace("</title>", "</titel>"), record("x"))
    read, problems = read_bytes(data)
    assert [ref.title for _, ref in read] == ["First"]
    (problem,) = problems
    assert problem.line == 3 and problem.message.startswith("record 2: the XML breaks here")


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf_16_and_a_byte_order_mark_read_as_utf_8_does(codec):
    text = ZOTERO_XML[0].read_text(encoding="utf-8")
    if codec.startswith("utf-16"):
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = text.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):  # with its byte order mark, as Windows writes it
        data = "\ufeff".encode(codec) + data
    read, problems = read_bytes(data)
    expected, _ = read_bytes(ZOTERO_XML[0].read_bytes())
    assert problems == []
    assert [ref for _, ref in read] == [ref for _, ref in expected]
    assert read[1][1].creators[1].given == "Noël"


@pytest.mark.parametrize(
    ("codec", "name"), [("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman")]
)
def test_old_endnote_text_that_is_not_utf_8_is_read_and_said_so(codec, name):
    data = document(
        record("Caf\u00e9 society", author="Kingsbury, No\u00ebl"),
        record("Second \u2013 part"),
    ).decode()
    read, problems = read_bytes(data.encode(codec))
    assert [ref.title for _, ref in read] == ["Café society", "Second – part"]
    assert read[0][1].creators[0].given == "Noël"
    (problem,) = problems
    assert problem.line == 2 and f"read as {name}" in problem.message


def test_a_declared_latin_1_encoding_is_read_as_declared():
    data = document(
        record("Caf\u00e9"), head='<?xml version="1.0" encoding="ISO-8859-1"?><xml><records>'
    )
    read, problems = read_bytes(data.decode().encode("latin-1"))
    assert [ref.title for _, ref in read] == ["Café"] and problems == []


def test_control_characters_are_dropped_from_every_value():
    read, problems = read_bytes(document(record("A\x1b[31m red &#27;title&#x7;")))
    assert [ref.title for _, ref in read] == ["A[31m red title"] and problems == []


def test_the_reader_holds_one_record_at_a_time():
    """A stream that is only read as far as it is needed: the first reference comes before
    the end of a long file is read."""
    many = document(*(record(f"Title {n}") for n in range(20_000)))
    stream = io.BytesIO(many)
    references = endnote_xml.read_numbered(stream, name="in.xml", on_problem=lambda p: None)
    _, first = next(references)
    assert first.title == "Title 0"
    assert stream.tell() < len(many) // 4

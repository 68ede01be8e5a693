"""Reading XML reference files safely (refman.formats.xml_input), as the PubMed XML and EndNote
XML readers share it: entities and outside documents refused, encodings, damage part-way, and
records dropped once read. Shown through a tiny format of its own, so no reader's mapping is
involved."""

import codecs
import io

import pytest

from refman.formats import xml_input
from refman.formats.xml_input import XmlFormat, element_from_text, records, text_of, xml_text
from refman.model import ParseError, Problem

FMT = XmlFormat("Test XML", roots=("set",), records=("rec",))


def read(data: bytes, name: str = "t.xml"):
    """(line, text of the record) pairs and the problems met."""
    problems: list[Problem] = []
    found = [
        (line, text_of(element))
        for line, element in records(io.BytesIO(data), FMT, name, problems.append)
    ]
    return found, problems


def doc(*records_text: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    body = "".join(f"<rec>{text}</rec>\n" for text in records_text)
    return f"{prolog}<set>\n{body}</set>\n".encode()


def test_records_are_read_with_their_lines():
    assert read(doc("one", "two", "three")) == ([(3, "one"), (4, "two"), (5, "three")], [])


# --- safety --------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE set [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<set><rec>&lol3;</rec></set>
"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        b'<?xml version="1.0"?>\n<!DOCTYPE set [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b"<set><rec>&x;</rec></set>\n",
        b'<?xml version="1.0"?>\n<!DOCTYPE set [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd">'
        b" %p;]>\n<set><rec>a</rec></set>\n",
    ],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
def test_a_file_that_declares_entities_is_refused_whole(data):
    with pytest.raises(ParseError, match="declares XML entities.*refuses"):
        read(data)


def test_an_entity_used_but_not_declared_reads_nothing_from_outside(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = doc(f"&x; {secret}")
    found, problems = read(data)
    assert "SECRET" not in repr(found)
    assert problems and "breaks" in problems[0].message


def test_an_outside_dtd_is_not_loaded():
    """PubMed's files name their DTD by URL: it is neither fetched nor needed."""
    prolog = (
        '<?xml version="1.0"?>\n<!DOCTYPE set PUBLIC "-//X//DTD//EN" '
        '"http://127.0.0.1:9/never.dtd">\n'
    )
    assert read(doc("a", prolog=prolog)) == ([(4, "a")], [])


# --- what is not the format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "it is empty"),
        (b"  \n ", "it is empty"),
        (b"PMID- 1\nTI  - x\n", "it is not XML: it does not start with an XML element"),
        (
            b"<other><rec>a</rec></other>",
            "it is XML, but not Test XML: its root element is <other>",
        ),
        (b"<set <rec>", "it is not well-formed XML"),
    ],
)
def test_what_is_not_the_format_raises_on_the_first_next(data, message):
    reading = records(io.BytesIO(data), FMT, "t.xml", lambda p: None)
    with pytest.raises(ParseError, match=message) as raised:
        next(reading)
    assert raised.value.path == "t.xml"


# --- damage part-way ------------------------------------------------------------------------------


def test_a_cut_file_keeps_the_records_before_the_cut_and_names_the_line():
    data = doc("one", "two", "three")
    found, problems = read(data[: data.index(b"thr") + 2])
    assert found == [(3, "one"), (4, "two")]
    (problem,) = problems
    assert problem.line == 5
    assert "ends in the middle of a record (it was cut short)" in problem.message


def test_a_broken_tag_ends_the_reading_with_one_problem():
    data = doc("one", "two</x>", "three")
    found, problems = read(data)
    assert found == [(3, "one")]
    (problem,) = problems
    assert problem.line == 4 and "the XML breaks here" in problem.message


def test_a_record_longer_than_any_is_a_problem_not_a_memory_hog(monkeypatch):
    """The limit (32 MB) made small here: the record after the line of the last record read
    runs past it."""
    monkeypatch.setattr(xml_input.Utf8Input.__init__, "__defaults__", (100_000,))
    found, problems = read(doc("short", "x" * 200_000, "after"))
    assert found == [(3, "short")]
    (problem,) = problems
    assert problem.line == 3 and "runs past" in problem.message


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_wide_encodings_with_a_byte_order_mark_are_read(codec):
    text = doc("Müller – ≥", prolog=f'<?xml version="1.0" encoding="{codec.upper()}"?>\n').decode()
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    assert read(bom + text.encode(codec)) == ([(3, "Müller – ≥")], [])


def test_a_utf8_byte_order_mark_is_skipped():
    assert read(codecs.BOM_UTF8 + doc("é")) == ([(3, "é")], [])


def test_a_declared_encoding_is_used():
    data = doc("café", prolog='<?xml version="1.0" encoding="ISO-8859-1"?>\n')
    assert read(data.decode().encode("latin-1")) == ([(3, "café")], [])


def test_an_unknown_declared_encoding_is_said():
    with pytest.raises(ParseError, match="encoding 'x-klingon', which refman does not know"):
        read(doc("a", prolog='<?xml version="1.0" encoding="x-klingon"?>\n'))


@pytest.mark.parametrize(
    "raw, text, codec",
    [
        ("café déjà".encode("cp1252"), "café déjà", "Windows-1252"),
        ("crème — brûlée".encode("mac_roman"), "crème — brûlée", "Mac Roman"),
    ],
)
def test_bytes_that_are_not_utf8_are_read_as_the_likelier_legacy_encoding(raw, text, codec):
    data = doc("fine", "x").replace(b"<rec>x</rec>", b"<rec>" + raw + b"</rec>")
    found, problems = read(data)
    assert found == [(3, "fine"), (4, text)]
    (problem,) = problems
    assert problem.line == 4 and f"read as {codec}" in problem.message


def test_control_characters_raw_or_referred_to_are_dropped():
    assert read(doc("a\x1bb &#27;c&#x7;d")) == ([(3, "ab cd")], [])


def test_a_long_file_is_read_across_chunks_without_splitting_characters():
    names = [f"Müller–{n} &#233;" for n in range(20000)]
    found, problems = read(doc(*names))
    assert problems == [] and len(found) == 20000
    assert found[-1] == (20002, "Müller–19999 é")


# --- records dropped once read, and source records ------------------------------------------------


def test_each_record_is_emptied_once_the_next_is_read_and_then_dropped():
    reading = records(io.BytesIO(doc("<b>one</b>", "two", "three")), FMT, "t.xml", print)
    _, first = next(reading)
    parent = first.getparent()
    assert len(first) == 1
    next(reading)
    assert len(first) == 0 and first.text is None
    next(reading)
    assert first not in list(parent)


def test_a_record_read_back_from_its_source_text_is_the_same():
    _, element = next(records(io.BytesIO(doc("a <i>b</i> &amp; c")), FMT, "t", print))
    again = element_from_text(xml_text(element))
    assert xml_text(again) == xml_text(element) == "<rec>a <i>b</i> &amp; c</rec>"


def test_a_broken_source_text_is_refused_and_an_entity_reads_nothing(tmp_path):
    with pytest.raises(ParseError, match="not well-formed"):
        element_from_text("<rec>a")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    element = element_from_text(f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>')
    assert "SECRET" not in xml_text(element)

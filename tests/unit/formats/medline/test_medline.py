"""The MEDLINE package's public face: references with the lines their records start on, from
a file, a stream or a text, as the format registry's reader gives them to an import."""

import io

from refman.formats import medline
from refman.model import Problem
from tests.unit.formats.medline.helpers import FIXTURES, PLAIN


def test_each_reference_comes_with_the_line_its_record_starts_on():
    path = FIXTURES / "junk_before.nbib"
    numbered = list(medline.read_numbered(path))
    assert [line for line, _ in numbered] == [r.line for r in medline.read_raw(path)] == [7, 20]
    assert [ref for _, ref in numbered] == list(medline.read(path))
    assert [ref for _, ref in numbered] == [medline.to_reference(r) for r in medline.read_raw(path)]


def test_a_stream_a_file_and_a_text_read_the_same():
    from_text = list(medline.read_text(PLAIN))
    assert list(medline.read(io.BytesIO(PLAIN.encode()))) == from_text
    assert [r.pmid for r in from_text] == ["11111111", "22222222"]
    assert all(r.source_format == medline.SOURCE_FORMAT for r in from_text)


def test_problems_go_to_the_callback_with_the_name_given():
    problems: list[Problem] = []
    data = b"PMID- 1\nTI  - ok\n\nAB  - no title\n"
    refs = list(medline.read_numbered(io.BytesIO(data), "in.nbib", problems.append))
    assert [(line, ref.title) for line, ref in refs] == [(1, "ok")]
    assert [(p.path, p.line) for p in problems] == [("in.nbib", 4)]

"""The format registry: its entries, finding one by key, and picking the reader for a file."""

import codecs
import io
from dataclasses import replace

import pytest

from refman import formats
from refman.formats import registry
from refman.model import Problem, Reference, RefmanError
from tests.samples import SEED_FILE

MEDLINE_HEAD = b"PMID- 1\nTI  - A title.\nDP  - 2020\n"


def test_the_export_formats_are_the_ones_the_command_line_offers():
    assert list(formats.EXPORT_FORMATS) == [
        "text",
        "html",
        "rtf",
        "bibtex",
        "biblatex",
        "ris",
        "csl-json",
        "medline",
    ]
    assert {"medline", "csl-json", "pubmed-xml", "endnote-xml", "ris", "bibtex"} <= set(
        formats.READ_FORMATS
    )


def test_every_entry_has_a_name_an_extension_and_something_to_do():
    for fmt in formats.FORMATS.values():
        assert fmt.name and fmt.extension.startswith(".")
        assert fmt.can_read or fmt.can_write
    assert [f.key for f in formats.FORMATS.values() if f.styled] == ["text", "html", "rtf"]
    assert formats.FORMATS["medline"].needs_source_record
    assert not formats.FORMATS["ris"].needs_tag_details


@pytest.mark.parametrize("key", ["RIS", "bibtex", "CSL-JSON"])
def test_export_formats_are_found_whatever_the_case(key):
    assert formats.find_export_format(key) is formats.EXPORT_FORMATS[key.lower()]


def test_an_unknown_export_format_names_the_close_ones():
    with pytest.raises(RefmanError, match="Unknown export format 'bibtx'. Did you mean: bibtex"):
        formats.find_export_format("bibtx")


def test_a_format_refman_only_writes_is_not_a_reader():
    assert formats.find_reader("MEDLINE") is formats.FORMATS["medline"]
    with pytest.raises(RefmanError, match="Unknown import format 'html'.*Known formats: .*medline"):
        formats.find_reader("html")


def test_the_reader_yields_references_with_their_lines_and_reports_problems():
    problems: list[Problem] = []
    data = b"PMID- 1\nTI  - First.\n\nOWN - NLM\n\nPMID- 2\nTI  - Second.\n"
    reader = formats.find_reader("medline").reader
    read = list(reader(io.BytesIO(data), name="in.nbib", on_problem=problems.append))
    assert [(line, ref.title) for line, ref in read] == [(1, "First"), (6, "Second")]
    assert problems == [
        Problem("in.nbib", 4, "this record has no title and no PubMed ID and was skipped")
    ]


@pytest.mark.parametrize(
    "head",
    [
        MEDLINE_HEAD,
        codecs.BOM_UTF8 + MEDLINE_HEAD,
        MEDLINE_HEAD.decode().encode("utf-16"),
        SEED_FILE.read_bytes()[: formats.SNIFF_BYTES],
    ],
    ids=["utf-8", "bom", "utf-16", "seed"],
)
def test_sniff_picks_the_medline_reader_for_medline_content(head):
    assert formats.sniff(head, "any name.dat") is formats.FORMATS["medline"]


@pytest.mark.parametrize(
    "head",
    [b"", b"%PDF-1.7\n", b"\x00\x01\x02binary"],
    ids=["empty", "pdf", "binary"],
)
def test_sniff_finds_no_reader_for_what_refman_cannot_read(head):
    assert formats.sniff(head, "references.nbib") is None


def test_sniff_picks_the_bibtex_reader_whatever_the_name():
    assert (
        formats.sniff(b"@article{k,\n title={x}}\n", "references.nbib") is formats.FORMATS["bibtex"]
    )


def test_a_new_reader_plugs_in_with_an_entry_and_the_name_breaks_a_tie(monkeypatch):
    """Two readers that both would read a file: the content decides first, the name second."""
    medline = formats.FORMATS["medline"]
    other = replace(medline, key="other", name="Other", extensions=(".other",))
    monkeypatch.setitem(registry.READ_FORMATS, "other", other)
    assert formats.sniff(MEDLINE_HEAD, "a.other") is other
    assert formats.sniff(MEDLINE_HEAD, "a.nbib") is medline
    assert formats.sniff(MEDLINE_HEAD, "a.unknown") is medline  # the registry's order
    assert formats.find_reader("other") is other


def test_an_entry_holds_a_reader_with_its_sniffer_and_one_kind_of_writer():
    medline = formats.FORMATS["medline"]
    with pytest.raises(ValueError, match="a reader goes with a sniffer"):
        replace(medline, sniffer=None)
    with pytest.raises(ValueError, match="not both"):
        replace(formats.FORMATS["text"], writer=medline.writer)


def test_writers_take_references_and_a_stream():
    out = io.StringIO()
    formats.FORMATS["ris"].writer([Reference(title="A title")], out)
    assert "TI  - A title" in out.getvalue()
    out = io.StringIO()
    formats.FORMATS["html"].styled_writer([Reference(title="A title")], out, "apa")
    assert out.getvalue().startswith('<div class="csl-bib-body">')

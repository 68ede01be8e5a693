"""refman.formats.export and cite: the writers' one way out, free of control characters."""

import json

import pytest

from refman import formats
from refman.formats.text import CONTROLS
from refman.model import Creator, Issn, PartialDate, Reference, RefmanError, Tag

# The same reference, as an older refman may have stored it (with control characters) and
# as it reads without them.
DIRTY = Reference(
    title="A \x1b[31mred\x1b[0m title\x07 with a back\x08space",
    abstract="A NUL\x00, a form feed\x0c and a C1 control\x9b.",
    container_title="Journal\x7f of tests",
    date=PartialDate(2020),
    creators=(Creator("Olden\x1b", "Stored\x08"),),
    tags=(Tag("bell\x07"),),
)
CLEAN = Reference(
    title="A [31mred[0m title with a backspace",
    abstract="A NUL, a form feed and a C1 control.",
    container_title="Journal of tests",
    date=PartialDate(2020),
    creators=(Creator("Olden", "Stored"),),
    tags=(Tag("bell"),),
)


@pytest.mark.parametrize("key", formats.EXPORT_FORMATS)
def test_an_export_is_written_from_the_references_without_control_characters(key):
    exported = formats.export([DIRTY], key)
    assert not CONTROLS.search(exported)
    assert exported == formats.export([CLEAN], key)


@pytest.mark.parametrize("kind", ["text", "html", "rtf"])
def test_a_citation_is_written_without_control_characters(kind):
    assert formats.cite([DIRTY], "apa", kind) == formats.cite([CLEAN], "apa", kind)


def test_a_bibliography_ends_with_a_line_break_and_nothing_is_nothing():
    text = formats.export([CLEAN], "text", style="apa")
    assert text.startswith("Olden, S. (2020).") and text.endswith(".\n")
    assert text.count("\n") == 1
    assert formats.export([], "text") == ""


def test_the_default_style_is_used_when_none_is_named():
    for key in ("text", "html"):
        assert formats.export([CLEAN], key) == formats.export(
            [CLEAN], key, style="american-medical-association"
        )
    ama = formats.cite([CLEAN])
    assert ama == formats.cite([CLEAN], "AMA Manual of Style 11th edition")
    assert ama != formats.cite([CLEAN], "apa")


def test_an_unknown_format_or_style_is_a_plain_error():
    with pytest.raises(RefmanError, match="Unknown export format 'pdf'"):
        formats.export([CLEAN], "pdf")
    with pytest.raises(RefmanError, match="no-such-style"):
        formats.export([CLEAN], "text", style="no-such-style")


def test_every_issn_of_an_item_is_exported():
    ref = Reference(
        title="Two ISSNs",
        issns=(
            Issn("1476-5616", "Electronic"),
            Issn("0033-3506", "Print"),
            Issn("0033-3506", "Linking"),
        ),
    )
    assert "SN  - 1476-5616, 0033-3506" in formats.export([ref], "ris").splitlines()
    assert "issn = {1476-5616, 0033-3506}" in formats.export([ref], "bibtex")
    (item,) = json.loads(formats.export([ref], "csl-json"))
    assert item["ISSN"] == "1476-5616, 0033-3506"

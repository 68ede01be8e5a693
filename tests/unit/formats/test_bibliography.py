"""Bibliographies and citations as the registry and refman.formats.cite use them: the
citation engine loads on their first use, not with refman.formats."""

import io
import subprocess
import sys

import pytest

from refman.formats import csl
from refman.formats.bibliography import bibliography_writer, citation
from refman.model import Reference

REFS = [Reference(title="A title", container_title="Journal")]


def test_importing_the_formats_does_not_load_the_citation_engine():
    """The window imports refman.formats at start; lxml, citeproc-py and the styles load on
    the first bibliography or citation only."""
    code = (
        "import sys\n"
        "from refman import formats\n"
        "from refman.model import Reference\n"
        "engine = ('refman.formats.csl.', 'citeproc', 'lxml')\n"
        "print(sorted(m for m in sys.modules if (m + '.').startswith(engine)))\n"
        "formats.export([Reference(title='A title')], 'text')\n"
        "print('refman.formats.csl' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["[]", "True"]


@pytest.mark.parametrize("kind", ["text", "html", "rtf"])
def test_a_writer_writes_the_bibliography_of_its_kind_in_the_style_asked(kind):
    out = io.StringIO()
    bibliography_writer(kind)(REFS, out, "apa")
    written = csl.format_references(REFS, "apa", kind)
    assert out.getvalue() == written + "\n"
    out = io.StringIO()
    bibliography_writer(kind)(REFS, out, None)
    assert out.getvalue() == csl.format_references(REFS, csl.DEFAULT_STYLE, kind) + "\n"


def test_a_citation_in_the_style_asked_or_the_default_one():
    assert citation(REFS, "apa", "text") == csl.cite_references(REFS, "apa")
    assert citation(REFS, None, "html") == csl.cite_references(REFS, csl.DEFAULT_STYLE, "html")

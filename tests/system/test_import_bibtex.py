"""``refman import`` of BibTeX files, as a user runs it: a .bib file and a BibTeX file named
.nbib read from their content, a damaged entry named with its line, and the export giving the
imported entries back."""

from __future__ import annotations

import io

import pytest

from refman import formats
from tests.safety_helpers import refman
from tests.samples import ALL, BAD, DATA

pytestmark = pytest.mark.system

CASES = DATA / "import" / "bibtex"


def test_bibtex_files_are_imported_from_their_content(library_path, tmp_path):
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(
        "@article{ok, title = {Fine}}\n"
        "@article{nokey title = {x}}\n"
        "@article{bad,\n title = {Open {\n"
    )
    files = [CASES / "zotero-bibtex-02.bib", BAD / "bibtex.nbib", damaged]
    result = refman(library_path, "import", *files)
    assert result.returncode == 0, result.stderr
    assert "4 added" in result.stdout
    assert f"{damaged}:2: the entry @article{{nokey cannot be read" in result.stdout
    assert f"{damaged}:3: the entry @article{{bad cannot be read" in result.stdout
    assert result.stderr == ""  # the parser's own log does not reach the terminal
    exported = refman(library_path, "export", "--format", "bibtex")
    assert exported.returncode == 0, exported.stderr
    assert "@book{abramowitz+stegun," in exported.stdout
    assert "  edition = {ninth Dover printing, tenth GPO printing}\n" in exported.stdout


def entries(text: str) -> list[str]:
    """The entries of a .bib file, sorted."""
    return sorted(("\n" + text).split("\n@"))


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_an_export_imported_into_an_empty_library_exports_the_same(library_path, tmp_path, fmt):
    exported = tmp_path / "samples.bib"
    out = io.StringIO()
    formats.FORMATS[fmt].writer(ALL, out)
    exported.write_text(out.getvalue(), encoding="utf-8")
    result = refman(library_path, "import", exported)
    assert result.returncode == 0, result.stderr
    assert f"{len(ALL)} added" in result.stdout
    again = refman(library_path, "export", "--format", fmt)
    assert again.returncode == 0, again.stderr
    # The same entries, each byte for byte (the library lists items in its own order).
    assert entries(again.stdout) == entries(out.getvalue())

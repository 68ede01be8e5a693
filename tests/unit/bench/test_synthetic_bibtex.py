"""The benchmark's synthetic BibTeX files: as many entries as asked, read back by the reader,
the same file for the same seed."""

from __future__ import annotations

from bench.synthetic_bibtex import write_synthetic
from tests.unit.formats.bibtex.helpers import read


def test_synthetic_bibtex_files_hold_count_entries_that_read_back(tmp_path):
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    write_synthetic(first, 1200, seed=3)  # more than one batch of the writer
    write_synthetic(second, 1200, seed=3)
    refs, problems = read(first.read_bytes())
    assert len(refs) == 1200 and problems == []
    assert all(ref.title and ref.creators for ref in refs)
    assert first.read_bytes() == second.read_bytes()

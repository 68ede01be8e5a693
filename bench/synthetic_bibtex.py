"""Synthetic BibTeX files for the benchmark: bench/synthetic.py's MEDLINE records, read by the
MEDLINE reader and written by refman's BibTeX writer (so the entries are what refman writes:
authors, keywords, abstracts, LaTeX escapes), a thousand at a time."""

from __future__ import annotations

import itertools
from pathlib import Path

from bench.synthetic import DEFAULT_SEED, Vocabulary, records
from refman.formats import medline
from refman.formats.bibtex import write_bibtex

_BATCH = 1000


def write_synthetic(path: Path, count: int, seed: int = DEFAULT_SEED) -> None:
    """Write ``count`` synthetic BibTeX entries to ``path``."""
    texts = records(count, seed, Vocabulary(seed))
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        while batch := list(itertools.islice(texts, _BATCH)):
            refs = list(medline.read_text("\n".join(batch)))
            if out.tell():
                out.write("\n")
            write_bibtex(refs, out)

"""BibTeX and BibLaTeX (.bib) files: a streaming reader and the two writers.

The package does its jobs in separate modules:

- reading: ``split`` cuts a file into blocks in bounded memory (any encoding, damaged blocks
  reported), ``read`` reads each block with bibtexparser, puts ``@string``s in and resolves
  ``crossref``; ``sniff`` says from a file's head whether it is BibTeX;
- mapping: ``values`` turns raw values into LaTeX text and LaTeX text into plain text, names
  and dates; ``mapping`` turns an entry into a ``Reference`` that keeps the entry as its source
  record;
- writing: ``write`` writes references as BibTeX or BibLaTeX, giving back an imported entry
  with only the fields behind edited values replaced.

``read_numbered`` and ``sniff`` are the registry's reader and sniffer.
"""

from __future__ import annotations

from refman.formats.bibtex.mapping import BIBLATEX, BIBTEX, Entry, to_reference
from refman.formats.bibtex.read import read_numbered
from refman.formats.bibtex.sniff import sniff
from refman.formats.bibtex.write import citation_keys, write_biblatex, write_bibtex

__all__ = [
    "BIBLATEX",
    "BIBTEX",
    "Entry",
    "citation_keys",
    "read_numbered",
    "sniff",
    "to_reference",
    "write_biblatex",
    "write_bibtex",
]

"""Synthetic RIS files for the benchmark: the synthetic MEDLINE records (bench.synthetic) as
references, written by refman's RIS writer.

Everything comes from one seed, so two runs with the same seed write the same bytes. The
references are made and written a batch at a time, so that a file of any size is written in
bounded memory.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from bench.synthetic import records
from refman.formats import medline, ris

BATCH = 1000  # references made and written at a time


def write_synthetic(path: Path, count: int, seed: int) -> None:
    """Write ``count`` synthetic RIS records to ``path`` (CRLF line ends, as the writer does)."""
    texts = records(count, seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        for number in itertools.count():
            batch = "\n".join(itertools.islice(texts, BATCH))
            if not batch:
                break
            # Written from their fields, not from a MEDLINE source record.
            refs = [
                ref.with_changes(source_format="", source_record=())
                for ref in medline.read_text(batch, "synthetic")
            ]
            if number:
                out.write("\r\n")
            ris.write(refs, out)

"""Synthetic CSL-JSON files for the benchmark: bench/synthetic.py's MEDLINE records, read by the
MEDLINE reader and mapped by refman's CSL-JSON writer (so each item is what refman writes: the
CSL variables and refman's own ``_refman`` member), a thousand at a time, in one JSON array."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from bench.synthetic import DEFAULT_SEED, Vocabulary, records
from refman.formats import csl_json, medline

_BATCH = 1000


def write_synthetic(path: Path, count: int, seed: int = DEFAULT_SEED) -> None:
    """Write ``count`` synthetic CSL-JSON items to ``path``, as one array."""
    texts = records(count, seed, Vocabulary(seed))
    number = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        while batch := list(itertools.islice(texts, _BATCH)):
            for ref in medline.read_text("\n".join(batch)):
                number += 1
                item = csl_json.export_item(ref, str(number))
                out.write(",\n" if number > 1 else "\n")
                out.write(json.dumps(item, ensure_ascii=False, indent=1))
        out.write("\n]\n")

"""The readers' benchmark: each import format's reader on a synthetic file of the same records.

For every format refman reads, a file of ``count`` synthetic records is written (MEDLINE by
``bench.synthetic``; any other format by the ``write_synthetic(path, count, seed)`` of a module
``bench.synthetic_<key>``, the format's key with ``-`` as ``_``), then the registry's reader
reads it in a child process (``bench.measure``'s ``format-reader`` task), nothing stored. The
table puts each reader's records per second beside the MEDLINE reader's: the MEDLINE reader is
the one tuned for speed, so the ratio says how far another format is from it.

A format without a synthetic writer is listed as such in the table, not left out: a new reader
cannot be forgotten here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from refman.formats.registry import FORMATS, READ_FORMATS

READER_RECORDS = 10_000  # the file size the issue asks each reader to be measured on

Writer = Callable[[Path, int, int], None]


def synthetic_writer(key: str) -> Writer | None:
    """The function that writes a synthetic file in the format ``key``, or None if none."""
    if key == "medline":
        from bench import synthetic

        return lambda path, count, seed: synthetic.write_medline(path, count, seed)
    try:
        module = importlib.import_module(f"bench.synthetic_{key.replace('-', '_')}")
    except ModuleNotFoundError:
        return None
    writer: Writer = module.write_synthetic
    return writer


def bench_readers(
    count: int,
    seed: int,
    file: Callable[[str], Path],
    measure: Callable[[str, dict], dict],
    log: Callable[[str], None],
) -> dict[str, dict[str, Any]]:
    """{format key: measurement} for every reader: the file's size, the reading's seconds and
    records; ``{"error": ...}`` for a step that failed, ``{"missing": True}`` for a format
    without a synthetic writer."""
    results: dict[str, dict[str, Any]] = {}
    for key in READ_FORMATS:
        writer = synthetic_writer(key)
        if writer is None:
            results[key] = {"missing": True}
            continue
        path = file(f"readers-{count}-seed{seed}.{key}")
        try:
            writer(path, count, seed)
            results[key] = measure("format-reader", {"format": key, "file": str(path)})
        except Exception as exc:  # noqa: BLE001 - one format's failure is a cell, not the run's end
            results[key] = {"error": str(exc) or type(exc).__name__}
            log(f"  reader {key} failed: {results[key]['error']}")
            continue
        results[key]["file_bytes"] = path.stat().st_size
        log(f"  reader {key}: {results[key]['seconds']:.1f} s")
    return results


def rate(result: dict[str, Any]) -> float:
    return float(result["records"]) / float(result["seconds"])


def table(results: dict[str, dict[str, Any]], count: int) -> str:
    """The readers' Markdown table: one line per format."""
    head = [
        f"Reader ({count:,} synthetic records)",
        "File",
        "Records read",
        "Records per second",
        "÷ MEDLINE reader's speed",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    medline = results.get("medline", {})
    for key, result in results.items():
        cells = _cells(result, None if key == "medline" else medline)
        lines.append("| " + " | ".join([FORMATS[key].name, *cells]) + " |")
    return "\n".join(lines)


def _cells(result: dict[str, Any], medline: dict[str, Any] | None) -> Sequence[str]:
    """A format's cells; ``medline`` is the MEDLINE reader's result (None on its own line)."""
    if result.get("missing"):
        return ["no synthetic writer", "", "", ""]
    if "error" in result:
        return ["failed", "", "", ""]
    if medline is None:
        ratio = "(the reference)"
    elif "seconds" not in medline:
        ratio = "n/a"
    elif rate(result) >= rate(medline):
        ratio = f"{rate(result) / rate(medline):.1f}× faster"
    else:
        ratio = f"{rate(medline) / rate(result):.1f}× slower"
    return [
        f"{result['file_bytes'] / 2**20:.1f} MB",
        f"{result['records']:,}",
        f"{rate(result):,.0f} /s",
        ratio,
    ]

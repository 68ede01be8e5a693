"""Synthetic EndNote XML files that look like EndNote's own export, for the benchmark.

The records are bench.synthetic's PubMed-like records (same seed, same words, authors,
journals and dates) written as EndNote 20 writes a library exported "as XML": the whole file on
one line, each field's text in a ``<style face="normal" font="default" size="100%">`` run, the
fields in EndNote's order. Most records are journal articles as EndNote's PubMed import makes
them (ISSNs in ``<isbn>``, PMID in ``<accession-num>``, PubMed as the remote database); one in
ten is a book section and one in twenty a book, so the reader's type mapping is exercised.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from bench import synthetic

HEAD = '<?xml version="1.0" encoding="UTF-8" ?><xml><records>'
TAIL = "</records></xml>"
_TYPES = (("Journal Article", 17), ("Book Section", 5), ("Book", 6))


def _styled(value: str) -> str:
    return f'<style face="normal" font="default" size="100%">{escape(value)}</style>'


def _field(tag: str, value: str) -> str:
    return f"<{tag}>{_styled(value)}</{tag}>" if value else ""


def _kind(rng: random.Random) -> tuple[str, int]:
    roll = rng.random()
    return _TYPES[2] if roll < 0.05 else _TYPES[1] if roll < 0.15 else _TYPES[0]


def record_xml(pairs: list[tuple[str, str]], number: int, rng: random.Random) -> str:
    """One ``<record>`` from a synthetic MEDLINE record's (tag, value) pairs."""
    values: dict[str, list[str]] = {}
    for tag, value in pairs:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str:
        return values.get(tag, [""])[0]

    name, type_number = _kind(rng)
    year, _, rest = first("DP").partition(" ")
    authors = "".join(f"<author>{_styled(a)}</author>" for a in values.get("FAU", []))
    keywords = "".join(
        f"<keyword>{_styled(k)}</keyword>" for k in values.get("MH", []) + values.get("OT", [])
    )
    doi = next((v.removesuffix(" [doi]") for v in values.get("LID", []) if "[doi]" in v), "")
    journal = first("JT")
    secondary = "Proceedings of " + journal if name == "Book Section" else journal
    return "".join(
        [
            "<record>",
            '<database name="My EndNote Library.enl" path="My EndNote Library.enl">',
            "My EndNote Library.enl</database>",
            '<source-app name="EndNote" version="20.0">EndNote</source-app>',
            f"<rec-number>{number}</rec-number>",
            f"<ref-type name={quoteattr(name)}>{type_number}</ref-type>",
            f"<contributors><authors>{authors}</authors></contributors>",
            "<titles>",
            _field("title", first("TI")),
            _field("secondary-title", secondary),
            _field("alt-title", first("TA")),
            "</titles>",
            "<periodical>",
            _field("full-title", journal),
            _field("abbr-1", first("TA")),
            "</periodical>",
            _field("pages", first("PG")),
            _field("volume", first("VI")),
            _field("number", first("IP")),
            f"<keywords>{keywords}</keywords>",
            f"<dates>{_field('year', year)}",
            f"<pub-dates>{_field('date', rest)}</pub-dates>" if rest else "",
            "</dates>",
            _field("isbn", "\r".join(values.get("IS", []))),
            _field("accession-num", first("PMID")),
            _field("abstract", first("AB")),
            _field("electronic-resource-num", doi),
            _field("remote-database-name", "PubMed"),
            _field("remote-database-provider", "NLM"),
            _field("language", first("LA")),
            "</record>",
        ]
    )


def records(count: int, seed: int) -> Iterator[str]:
    """The XML of ``count`` records, drawn from ``seed``."""
    vocab = synthetic.Vocabulary(seed)
    rng = random.Random(seed + 1)
    kinds = random.Random(seed + 2)
    for index in range(count):
        yield record_xml(synthetic.record_pairs(vocab, rng, index), index + 1, kinds)


def write_synthetic(path: Path, count: int, seed: int) -> None:
    """Write ``count`` synthetic EndNote XML records to ``path``, as EndNote 20 exports them."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEAD)
        for text in records(count, seed):
            out.write(text)
        out.write(TAIL)

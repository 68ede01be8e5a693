"""What the EndNote XML tests share: the Zotero cases, and reading bytes or one record."""

from __future__ import annotations

import io
from pathlib import Path

from refman.formats import endnote_xml
from refman.model import Problem, Reference
from tests.samples import DATA

CASES = DATA / "import" / "endnotexml"
ZOTERO_XML = tuple(CASES / f"zotero-endnotexml-0{n}.xml" for n in (1, 2, 3))  # 9, 1, 2 records
HEAD = '<?xml version="1.0" encoding="UTF-8"?><xml><records>'
TAIL = "</records></xml>"


def read_bytes(data: bytes, name: str = "in.xml") -> tuple[list[tuple[int, Reference]], list]:
    """The (line, reference) pairs of EndNote XML ``data``, and the problems met."""
    problems: list[Problem] = []
    read = list(endnote_xml.read_numbered(io.BytesIO(data), name=name, on_problem=problems.append))
    return read, problems


def read_path(path: Path) -> tuple[list[Reference], list[Problem]]:
    read, problems = read_bytes(path.read_bytes(), str(path))
    return [ref for _, ref in read], problems


def one(record_body: str) -> Reference:
    """The reference of one ``<record>`` holding ``record_body``, read without a problem."""
    read, problems = read_bytes(f"{HEAD}<record>{record_body}</record>{TAIL}".encode())
    assert problems == []
    ((_, ref),) = read
    return ref

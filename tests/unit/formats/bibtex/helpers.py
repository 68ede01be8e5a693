"""Reading .bib text in the tests: references and problems."""

from __future__ import annotations

import io

from refman.formats.bibtex import read_numbered
from refman.model import Problem, Reference


def read(data: bytes | str, name: str = "in.bib") -> tuple[list[Reference], list[Problem]]:
    """The references of ``data`` in file order (by line), and the problems met."""
    raw = data.encode() if isinstance(data, str) else data
    problems: list[Problem] = []
    found = list(read_numbered(io.BytesIO(raw), name=name, on_problem=problems.append))
    return [ref for _, ref in sorted(found, key=lambda pair: pair[0])], problems


def lines(data: bytes | str) -> list[int]:
    raw = data.encode() if isinstance(data, str) else data
    return [line for line, _ in read_numbered(io.BytesIO(raw), name="x", on_problem=print)]

"""Fixtures the citation engine's tests share: the seed as CSL-JSON, and small styles written
for one test, so that a module's job can be tested on the few elements it renders."""

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from refman.formats.csl.catalogue import StyleInfo, StyleSource
from refman.formats.csl.engine import Engine
from refman.formats.csl.output import render
from tests.samples import CSL_DATA


@pytest.fixture
def seed() -> dict:
    """The seed as CSL-JSON, as citeproc-js was given it (a fresh copy each test)."""
    return json.loads((CSL_DATA / "seed.csl.json").read_text(encoding="utf-8"))[0]


class SmallStyle:
    """A style of a few elements, compiled: ``entries`` and ``cite`` render items with it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def entries(self, items: list[dict], fmt: str = "text") -> list[str]:
        blobs = self.engine.bibliography(items)
        return [render(blob, fmt, self.engine.quotes) for blob in blobs]

    def entry(self, item: dict, fmt: str = "text") -> str:
        (text,) = self.entries([item], fmt)
        return text

    def cite(self, items: list[dict], fmt: str = "text") -> str:
        return render(self.engine.citation(items), fmt, self.engine.quotes)


def write_style(
    path: Path,
    bibliography: str | None = '<text variable="title"/>',
    citation: str | None = '<text variable="citation-number"/>',
    *,
    macros: str = "",
    locale: str = "",
    sort: str = "",
    bibliography_attributes: str = "",
    citation_attributes: str = "",
    **attributes: str,
) -> SmallStyle:
    """A style written to ``path`` whose cs:bibliography and cs:citation layouts hold the given
    CSL (None: the style has no such area), with ``attributes`` on cs:style
    (``default_locale="en-GB"``), compiled."""
    attrs = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attributes.items())
    areas = ""
    if citation is not None:
        areas += f"<citation {citation_attributes}><layout>{citation}</layout></citation>"
    if bibliography is not None:
        layout = f"{sort}<layout>{bibliography}</layout>"
        areas += f"<bibliography {bibliography_attributes}>{layout}</bibliography>"
    path.write_text(
        f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" {attrs}>
  <info><title>Small</title><id>small</id></info>
  {locale}
  {macros}
  {areas}
</style>
""",
        encoding="utf-8",
    )
    info = StyleInfo("small", "Small", dependent=False)
    return SmallStyle(Engine(StyleSource(info, path, "")))


@pytest.fixture
def small_style(tmp_path) -> Callable[..., SmallStyle]:
    """``small_style(bibliography, citation, **options)``: a small style compiled for one test
    (see ``write_style``)."""
    return partial(write_style, tmp_path / "small.csl")

"""A parsed style with what its elements ask of it while they render: its locale, its macros,
its quotation marks and its page ranges.

The elements (elements, name_elements) render through a ``Ctx`` (context) that holds the
``CompiledStyle``; the engine is a compiled style that can also order, number and disambiguate
a document's items. Keeping this part apart is what lets the elements depend on the style
without depending on the engine that drives them.
"""

from __future__ import annotations

from typing import Any

from refman.formats.csl.locale import Locale, q
from refman.formats.csl.numbers import page_range
from refman.formats.csl.output import Quotes
from refman.model import RefmanError


class CompiledStyle:
    """A style's root element (parsed with our element classes) and its locale chain."""

    def __init__(self, root: Any, default_locale: str | None = None) -> None:
        self.root = root
        # Holding every element keeps lxml from re-creating element proxies on each visit.
        self._elements = list(root.iter())
        self.lang = default_locale or root.get("default-locale") or "en-US"
        self.locale = Locale(root, self.lang)
        self.macros = {m.get("name"): m for m in root.iterchildren(q("macro"))}
        self.citation_el = root.find(q("citation"))
        self.bibliography_el = root.find(q("bibliography"))
        self.quotes = Quotes(
            open=self.locale.term("open-quote") or "“",
            close=self.locale.term("close-quote") or "”",
            open_inner=self.locale.term("open-inner-quote") or "‘",
            close_inner=self.locale.term("close-inner-quote") or "’",
            punctuation_in_quote=self.locale.option("punctuation-in-quote"),
        )
        self._page_delimiter = self.locale.term("page-range-delimiter") or "\u2013"
        self.explicit_year_suffix = any(
            el.get("variable") == "year-suffix" for el in self._elements
        )

    def macro(self, name: str) -> Any:
        """The cs:macro called ``name``; a RefmanError when the style does not define it."""
        found = self.macros.get(name)
        if found is None:
            raise RefmanError(f"The style calls a macro it does not define: '{name}'")
        return found

    def page_range(self, value: str) -> str:
        """A page range as the style's page-range-format and the locale's delimiter write it."""
        return page_range(value, self.root.get("page-range-format"), self._page_delimiter)

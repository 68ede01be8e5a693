"""The CSL style elements: citeproc-py's element classes, subclassed to render blobs.

citeproc-py parses a style into lxml elements of its own classes (``citeproc.model``). We load
styles with a class lookup of our own that maps each CSL element to a subclass defined here, so
citeproc-py's classes are extended, never changed: ``blob(ctx)`` renders an element for one item
into a ``Blob`` tree (see blob) instead of concatenating strings. Names have their own
module (name_elements); the parser (parser) maps each CSL tag to its class.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from citeproc import model as cp

from refman.formats.csl.blob import Blob, group, leaf, parse_markup
from refman.formats.csl.context import (
    FIRST,
    POSITION_RANK,
    SUBSEQUENT,
    Ctx,
    Format,
    Frame,
    apply_format,
)
from refman.formats.csl.dates import localized_specs, own_specs, render_date
from refman.formats.csl.numbers import format_number, is_numeric, is_plural
from refman.formats.csl.textcase import capitalise

# Variables whose values are not rich text (no markup or quote parsing).
_VERBATIM = frozenset(
    ["DOI", "URL", "PMID", "PMCID", "ISBN", "ISSN", "citation-number", "year-suffix"]
)
_ALWAYS_PRINTED = frozenset(["year-suffix", "citation-number", "citation-label"])
_NUMBER_TERMS = {"number-of-pages": "page", "number-of-volumes": "volume"}
Test = Callable[[Ctx], bool]  # a compiled condition of a cs:if


class _Condition(Protocol):
    """A cs:if condition, of the context and one value of its attribute."""

    def __call__(self, ctx: Ctx, value: str) -> bool: ...


def _french_spacing(text: str) -> str:
    """citeproc-js puts a narrow no-break space before ``:;?!`` that follow a space."""
    for mark in ":;?!\u00bb":
        text = text.replace(" " + mark, "\u202f" + mark)
    return text.replace("\u00ab ", "\u00ab\u202f")


class Element(cp.CitationStylesElement):
    """Any element without rendering of its own (info, terms, sort keys...).

    The engine keeps every element of a style alive, so lxml hands back the same Python object
    on each visit and the element can cache its attributes and children in its ``__dict__``
    (read directly: citeproc-py's ``__getattr__`` would look a missing name up as a child).
    """

    def attrs(self) -> dict[str, str]:
        cached = self.__dict__.get("_attrs")
        if cached is None:
            cached = self.__dict__["_attrs"] = dict(self.attrib)
        return cached

    def kids(self) -> list[Element]:
        cached = self.__dict__.get("_kids")
        if cached is None:
            cached = self.__dict__["_kids"] = [c for c in self if isinstance(c, Element)]
        return cached

    def fmt(self) -> Format | None:
        """The element's output attributes (None when it has none)."""
        if "_fmt" not in self.__dict__:
            fmt = Format(self.attrs(), is_text=isinstance(self, Text))
            self.__dict__["_fmt"] = None if fmt.is_plain else fmt
        cached: Format | None = self.__dict__["_fmt"]
        return cached

    def blob(self, ctx: Ctx) -> Blob | None:
        return None

    def children_blobs(self, ctx: Ctx) -> list[Blob]:
        """The rendered children; a cs:choose contributes the children of its chosen branch."""
        out: list[Blob] = []
        for child in self.kids():
            if isinstance(child, Choose):
                out.extend(child.branch_blobs(ctx))
            else:
                rendered = child.blob(ctx)
                if rendered is not None and not rendered.is_empty():
                    out.append(rendered)
        return out


class Style(Element, cp.Style):
    pass


class Citation(Element, cp.Citation):
    pass


class Bibliography(Element, cp.Bibliography):
    pass


class Macro(Element, cp.Macro):
    def blob(self, ctx: Ctx) -> Blob | None:
        return group(self.children_blobs(ctx))


class Layout(Element, cp.Layout):
    def item_blob(self, ctx: Ctx) -> Blob | None:
        """One item's output, without the layout's own affixes and formatting."""
        return group(self.children_blobs(ctx))


class Group(Element, cp.Group):
    def blob(self, ctx: Ctx) -> Blob | None:
        ctx.frames.append(Frame())
        try:
            children = self.children_blobs(ctx)
        finally:
            frame = ctx.frames.pop()
        if frame.attempted and not frame.rendered:
            ctx.frames[-1].attempted = True  # a suppressed group counts as an empty variable
            return None
        if frame.rendered:
            ctx.frames[-1].attempted = ctx.frames[-1].rendered = True
        return apply_format(ctx, group(children, self.attrs().get("delimiter", "")), self.fmt())


class Choose(Element, cp.Choose):
    def branch_blobs(self, ctx: Ctx) -> list[Blob]:
        for branch in self.kids():
            if isinstance(branch, (If, Else)) and branch.matches(ctx):
                return branch.children_blobs(ctx)
        return []


class If(Element, cp.If):
    def _tests(self) -> tuple[list[Test], str]:
        cached = self.__dict__.get("_compiled_tests")
        if cached is None:
            cached = self.__dict__["_compiled_tests"] = _compile_tests(self.attrs())
        return cached

    def matches(self, ctx: Ctx) -> bool:
        tests, match = self._tests()
        if match == "any":
            return any(test(ctx) for test in tests)
        if match == "none":
            return not any(test(ctx) for test in tests)
        return all(test(ctx) for test in tests)


class Else_If(If, cp.Else_If):
    pass


class Else(Element, cp.Else):
    def matches(self, ctx: Ctx) -> bool:
        return True


def cite_value(ctx: Ctx, variable: str) -> str:
    """The value of a variable that a cite in a document gives (locator,
    first-reference-note-number), "" for others or outside a document."""
    cite = ctx.cite
    if cite is None or ctx.in_bibliography:
        return ""
    if variable == "locator":
        return cite.locator
    if variable == "first-reference-note-number":
        return str(cite.first_note) if cite.first_note else ""
    return ""


_CITE_VARIABLES = frozenset({"locator", "first-reference-note-number"})


def _has_variable(ctx: Ctx, value: str) -> bool:
    if value in _CITE_VARIABLES:
        return bool(cite_value(ctx, value))
    return value == "citation-number" or ctx.item.has(value)


def _is_numeric_test(ctx: Ctx, value: str) -> bool:
    text = cite_value(ctx, value) if value in _CITE_VARIABLES else ctx.item.value(value)
    return bool(text) and is_numeric(text)


def _locator(ctx: Ctx, value: str) -> bool:
    cite = ctx.cite
    if cite is None or ctx.in_bibliography or not cite.locator:
        return False
    return (cite.label or "page") == value


def _uncertain(ctx: Ctx, value: str) -> bool:
    date = ctx.item.dates.get(value)
    return bool(date and date.circa)


def _position(ctx: Ctx, value: str) -> bool:
    # Position tests fail in a bibliography; a citation outside a document is a first cite.
    if ctx.in_bibliography:
        return False
    cite = ctx.cite
    position = cite.position if cite is not None else FIRST
    if value == FIRST:
        return position == FIRST
    if value == "near-note":
        return cite is not None and position != FIRST and cite.near_note
    if value == "far-note":
        return cite is not None and position == SUBSEQUENT and not cite.near_note
    rank = POSITION_RANK.get(value)
    return rank is not None and POSITION_RANK[position] >= rank


def _disambiguate(ctx: Ctx, value: str) -> bool:
    if value != "true" or ctx.dis is None or ctx.sorting is not None:
        return False
    return ctx.dis.disambiguate_test(ctx.in_bibliography)


def _compile_tests(attrs: dict[str, str]) -> tuple[list[Test], str]:
    """The tests of a cs:if as functions of the context, and how they combine."""
    tests: list[Test] = []
    for attr, condition in _CONDITIONS.items():
        values = attrs.get(attr, "").split()
        if attr == "type" and values:  # citeproc-js: the types of one attribute are alternatives
            tests.append(partial(_of_type, types=frozenset(values)))
        elif condition is not None:
            tests.extend(partial(condition, value=v) for v in values)
    return tests, attrs.get("match", "all")


def _of_type(ctx: Ctx, types: frozenset[str]) -> bool:
    return ctx.item.type in types


_CONDITIONS: dict[str, _Condition | None] = {
    "type": None,  # compiled in _compile_tests
    "variable": _has_variable,
    "is-numeric": _is_numeric_test,
    "is-uncertain-date": _uncertain,
    "locator": _locator,
    "position": _position,
    "disambiguate": _disambiguate,
}


class Text(Element, cp.Text):
    def blob(self, ctx: Ctx) -> Blob | None:
        attrs = self.attrs()
        if attrs.get("variable"):
            content = self._variable(ctx, attrs["variable"])
        elif attrs.get("macro"):
            content = ctx.style.macro(attrs["macro"]).blob(ctx)
        elif attrs.get("term"):
            content = self._term(ctx, attrs)
        else:
            content = leaf(attrs.get("value", ""))
        return apply_format(ctx, content, self.fmt())

    def _term(self, ctx: Ctx, attrs: dict[str, str]) -> Blob | None:
        term = ctx.style.locale.term(
            attrs["term"], attrs.get("form", "long"), attrs.get("plural") == "true"
        )
        if not term:
            return None
        # citeproc-js capitalises a term that opens an entry (not in in-text citations).
        in_text_cite = not ctx.in_bibliography and ctx.style.root.get("class") == "in-text"
        opens = ctx.cite is None or ctx.cite.opens_citation
        if not ctx.started and not in_text_cite and opens:
            term = capitalise(term)
        ctx.started = True
        return leaf(term)

    def _variable(self, ctx: Ctx, variable: str) -> Blob | None:
        value = self._value(ctx, variable)
        # citeproc-js: year-suffix counts as printed even when empty, so that a group with
        # the "no date" term and the year suffix still prints.
        if value or variable not in _ALWAYS_PRINTED:
            ctx.note(variable, bool(value))
        else:
            ctx.frames[-1].attempted = ctx.frames[-1].rendered = True
        if not value:
            return None
        if variable in _VERBATIM:
            return leaf(value)
        return parse_markup(_french_spacing(value))

    def _value(self, ctx: Ctx, variable: str) -> str:
        if variable in ctx.suppressed:
            return ""
        if variable == "citation-number":
            return str(ctx.number) if ctx.number else ""
        if variable == "year-suffix":
            return ctx.year_suffix
        if variable in _CITE_VARIABLES:
            return _locator_value(ctx, variable)
        if self.attrs().get("form") == "short" and ctx.item.value(variable + "-short"):
            return ctx.item.value(variable + "-short")
        value = ctx.item.value(variable)
        if variable == "page" and value:
            return ctx.style.page_range(value)
        return value


def _locator_value(ctx: Ctx, variable: str) -> str:
    """A cite's variable as printed: a locator of pages in the style's page-range-format."""
    value = cite_value(ctx, variable)
    cite = ctx.cite
    if variable == "locator" and value and cite is not None and (cite.label or "page") == "page":
        return ctx.style.page_range(value)
    return value


class Number(Element, cp.Number):
    def blob(self, ctx: Ctx) -> Blob | None:
        attrs = self.attrs()
        variable = attrs.get("variable", "")
        if variable in _CITE_VARIABLES:
            value = _locator_value(ctx, variable)
        else:
            value = "" if variable in ctx.suppressed else ctx.item.value(variable)
        ctx.note(variable, bool(value))
        if not value:
            return None
        if variable == "page":
            value = ctx.style.page_range(value)
        text = format_number(value, attrs.get("form", "numeric"), ctx.style.locale)
        return apply_format(ctx, leaf(text), self.fmt())


class Label(Element, cp.Label):
    def blob(self, ctx: Ctx) -> Blob | None:
        variable = self.get("variable", "")
        if variable == "locator":
            value = cite_value(ctx, variable)
            term = (ctx.cite.label or "page") if ctx.cite is not None else ""
            return self.term_blob(ctx, term, is_plural(value)) if value else None
        value = ctx.item.value(variable)
        if not value or variable in ctx.suppressed:
            return None
        return self.term_blob(
            ctx, _NUMBER_TERMS.get(variable, variable), self._plural(variable, value)
        )

    def _plural(self, variable: str, value: str) -> bool:
        option: str = self.get("plural", "contextual")
        if option != "contextual":
            return option == "always"
        if variable in _NUMBER_TERMS:
            return value.isdigit() and int(value) > 1
        return is_plural(value)

    def term_blob(self, ctx: Ctx, term_name: str, plural: bool) -> Blob | None:
        option = self.get("plural", "contextual")
        if option != "contextual":
            plural = option == "always"
        term = ctx.style.locale.term(term_name, self.get("form", "long"), plural)
        return apply_format(ctx, leaf(term), self.fmt()) if term else None


class Date(Element, cp.Date):
    def blob(self, ctx: Ctx) -> Blob | None:
        attrs = self.attrs()
        variable = attrs.get("variable", "")
        value = None if variable in ctx.suppressed else ctx.item.dates.get(variable)
        ctx.note(variable, bool(value))
        if not value:
            return None
        form = attrs.get("form")
        locale_date = ctx.style.locale.date_format(form) if form else None
        if locale_date is not None:
            specs = localized_specs(locale_date, self)
            delimiter = locale_date.get("delimiter", "")
        else:
            specs, delimiter = own_specs(self), attrs.get("delimiter", "")
        if ctx.sorting is not None:
            return leaf(value.sort_key())
        content = render_date(ctx, value, specs, delimiter, locale_date is not None)
        return apply_format(ctx, content, self.fmt())


class Date_Part(Element, cp.Date_Part):
    pass

"""A compiled CSL style: sorting, numbering, year suffixes, and the rendering of entries.

An ``Engine`` is built once per style (parsing the style and its locale chain) and then renders
any number of items. The order of a bibliography is the style's ``cs:bibliography/cs:sort``
(items without a key value go last, ties keep the input order), or the input order; citation
numbers follow that order, or the input order when the sort is by citation number.

Items are rendered as part of a document: its citations, in order, each a list of items.
Citations that would read the same are told apart as citeproc-js does it (disambiguation: more
names, given names or initials, ``disambiguate="true"`` branches, year suffixes "2023a"); a
bibliography is that of a document citing each of its items once, in the order given.
Author-date styles that collapse keep one author's cites together as citeproc-js does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from refman.formats.csl.blob import CITE_AFFIX, Blob, group, leaf, parse_markup, wrap
from refman.formats.csl.catalogue import StyleSource
from refman.formats.csl.compiled_style import CompiledStyle
from refman.formats.csl.context import (
    FORMAT_ATTRIBUTES,
    SUBSEQUENT,
    CiteState,
    Ctx,
    Item,
    XmlElement,
    formatted,
)
from refman.formats.csl.disambiguation import AmbigConfig, Document, RenderState
from refman.formats.csl.locale import q
from refman.formats.csl.name_elements import sort_text
from refman.formats.csl.numbers import is_numeric
from refman.formats.csl.parser import parse_style
from refman.formats.csl.textcase import word_set
from refman.formats.csl_json import Json
from refman.model import RefmanError

_NUMERIC_VARIABLES = word_set(
    """chapter-number collection-number edition issue number number-of-pages number-of-volumes
    volume citation-number page"""
)


def _collate(text: str) -> str:
    """A sort key that ignores case, accents and leading punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().lstrip(" \"'“‘([")


class Engine(CompiledStyle):
    """One style, ready to render items."""

    def __init__(self, source: StyleSource, locale: str = "") -> None:
        # The style's own default-locale wins over the document's ``locale``, as citeproc-js
        # decides it when the locale is not forced (Zotero's Document Preferences).
        root = parse_style(str(source.layout_path))
        chosen = source.default_locale or root.get("default-locale") or locale or None
        super().__init__(root, chosen)

    # --- ordering ---

    def _key_value(
        self, key: XmlElement, item: Item, number: int, area_el: XmlElement, suffix: str
    ) -> tuple[bool, Any]:
        variable, macro = key.get("variable"), key.get("macro")
        if variable:
            return _variable_key(self, variable, item, number)
        if macro:
            sorting = {"name-as-sort-order": "all"}
            for option in ("names-min", "names-use-first", "names-use-last"):
                if key.get(option) is not None:
                    sorting[option.replace("names", "et-al")] = key.get(option)
            ctx = Ctx(self, item, area_el, number=number, year_suffix=suffix, sorting=sorting)
            rendered = self.macro(macro).blob(ctx)
            text = rendered.plain() if rendered is not None else ""
            return bool(text), _collate(text)
        return False, ""

    def _sorted(
        self,
        area_el: XmlElement,
        items: list[Item],
        numbers: dict[int, int],
        suffixes: dict[int, str],
    ) -> list[int]:
        """Indexes of ``items`` in the order of the area's cs:sort."""
        sort = area_el.find(q("sort")) if area_el is not None else None
        order = list(range(len(items)))
        if sort is None:
            return order
        keys = list(sort.iterchildren(q("key")))
        descending = [k.get("sort") == "descending" for k in keys]
        cache: dict[tuple[int, int], tuple[bool, Any]] = {}

        def value(index: int, position: int) -> tuple[bool, Any]:
            # Keys are rendered only when the earlier keys tie: most sorts need one key.
            if (index, position) not in cache:
                key = keys[position]
                cache[index, position] = self._key_value(
                    key, items[index], numbers[index], area_el, suffixes.get(index, "")
                )
            return cache[index, position]

        def compare(a: int, b: int) -> int:
            for position, desc in enumerate(descending):
                result = _compare_one(value(a, position), value(b, position), desc)
                if result:
                    return result
            return 0

        return sorted(order, key=cmp_to_key(compare))

    def registry(self, items: list[Item]) -> tuple[list[int], dict[int, int]]:
        """The bibliography order of the items and each item's citation number."""
        numbers = {i: i + 1 for i in range(len(items))}
        order = self._sorted(self.bibliography_el, items, numbers, {})
        sort = self.bibliography_el.find(q("sort")) if self.bibliography_el is not None else None
        by_number = sort is not None and any(
            k.get("variable") == "citation-number" for k in sort.iterchildren(q("key"))
        )
        if not by_number:
            numbers = {index: position + 1 for position, index in enumerate(order)}
        return order, numbers

    # --- disambiguation ---

    def _options(self) -> dict[str, str | None]:
        """The disambiguation options of the style (citeproc-js reads them once per style)."""
        if "_dis_options" not in self.__dict__:
            citation = self.citation_el
            options: dict[str, str | None] = dict(citation.attrib) if citation is not None else {}
            options["demote"] = self.root.get("demote-non-dropping-particle")
            if any(el.get("disambiguate") == "true" for el in self._elements):
                options["has-disambiguate"] = "true"
            self._dis_options = options
        return self._dis_options

    def _render_cite(
        self, items: dict[str, Item], doc: Document, item_id: str, request: AmbigConfig | None
    ) -> tuple[str, AmbigConfig, list[int], tuple[int, int]]:
        """An item's cite as plain text, rendered to compare it with others."""
        token = doc.tokens.get(item_id)
        if request is None and token is not None:
            request = token.config  # citeproc-js renders with, and updates, the registered one
        settings = request if request is not None else AmbigConfig()
        state = RenderState(doc, item_id, request, settings, looking=True)
        ctx = Ctx(self, items[item_id], self.citation_el, year_suffix=_suffix(settings))
        ctx.dis = state
        # citeproc-js renders the cites it compares as later cites (a note style's short form).
        ctx.cite = _AMBIGUITY_CITE
        rendered = self.citation_el.find(q("layout")).item_blob(ctx)
        text = rendered.plain() if rendered is not None else ""
        return text, settings, state.names_max, (state.count, state.tests)

    def _document(
        self, items: dict[str, Item], clusters: list[list[str]], bib_order: list[str]
    ) -> Document | None:
        """The disambiguation state of a document citing ``clusters`` in turn, or None for a
        style that disambiguates nothing."""
        options = self._options()
        doc = Document(
            options,
            lambda doc, item_id, request: self._render_cite(items, doc, item_id, request),
            lambda ids: [i for i in bib_order if i in set(ids)],
        )
        if self.citation_el is None or not (doc.modes or doc.add_givenname):
            return None
        for cluster in clusters:
            doc.cite(cluster)
        return doc

    def _state(self, doc: Document | None, item_id: str, bibliography: bool) -> RenderState | None:
        """How an item's final cite (or entry) is rendered in the document."""
        if doc is None:
            return None
        config = doc.tokens[item_id].config
        if not bibliography:
            config = config.clone()  # a cite renders without changing the registered settings
            return RenderState(doc, item_id, config, config, looking=False)
        settings = AmbigConfig()
        if doc.add_names:
            settings.names = list(config.names)
        request = None
        if doc.add_givenname:
            settings.givens = [list(g) for g in config.givens]
            request = settings
        return RenderState(
            doc, item_id, request, settings, looking=False, disambiguate=config.disambiguate
        )

    def prepare(self, clusters: Sequence[Sequence[Json]]) -> Prepared:
        """A document citing ``clusters`` (lists of CSL-JSON items) in turn, prepared: its
        items, numbers, bibliography order and disambiguation."""
        return self._prepare(clusters)

    def _prepare(self, clusters: Sequence[Sequence[Json]]) -> Prepared:
        """The items of a document in the order they are first cited, with their numbers,
        bibliography order and disambiguation."""
        items: dict[str, Item] = {}
        ids: list[list[str]] = []
        for cluster in clusters:
            ids.append([])
            for data in cluster:
                item = Item(data)
                item_id = item.id or f"item-{len(items) + 1}"
                items.setdefault(item_id, item)
                ids[-1].append(item_id)
        keys = list(items)
        listed = [items[k] for k in keys]
        if self.bibliography_el is not None:
            order, numbers = self.registry(listed)
        else:
            order, numbers = list(range(len(listed))), {i: i + 1 for i in range(len(listed))}
        bib_order = [keys[i] for i in order]
        doc = self._document(items, ids, bib_order)
        return Prepared(items, ids, {keys[i]: n for i, n in numbers.items()}, bib_order, doc)

    # --- rendering ---

    def bibliography(self, data: Sequence[Json]) -> list[Blob]:
        """One blob per entry, in bibliography order, for a document that cites each item
        once, in the order given."""
        if self.bibliography_el is None:
            raise RefmanError("This style has no bibliography")
        return self.entries(self._prepare([[d] for d in data]))

    def entries(self, prep: Prepared) -> list[Blob]:
        """The bibliography of a prepared document: one blob per entry, in its order."""
        entries = []
        for item_id in prep.bib_order:
            state = self._state(prep.doc, item_id, bibliography=True)
            ctx = Ctx(
                self,
                prep.items[item_id],
                self.bibliography_el,
                number=prep.numbers[item_id],
                year_suffix=_suffix(prep.doc.tokens[item_id].config) if prep.doc else "",
            )
            ctx.dis = state
            entries.append(self._entry(ctx))
        _substitute_repeated_authors(self, entries)
        return [e for e in entries if e is not None]

    def _entry(self, ctx: Ctx) -> Blob | None:
        layout = self.bibliography_el.find(q("layout"))
        children = layout.children_blobs(ctx)
        attrs = dict(layout.attrib)
        if not children:
            return None
        if any(_has_display(c) for c in children):
            children[-1] = _suffix_inside_display(children[-1], attrs.pop("suffix", ""))
        elif self.bibliography_el.get("second-field-align") in ("flush", "margin"):
            children = _second_field(children, attrs.pop("suffix", ""))
        return formatted(ctx, group(children), _layout_attrs(attrs))

    def citation(self, data: Sequence[Json]) -> Blob | None:
        """One citation cluster citing every item."""
        return self.citations([data])[0]

    def citations(self, clusters: Sequence[Sequence[Json]]) -> list[Blob | None]:
        """The citations of a document, each a list of items, in the document's order: every
        item is disambiguated against all the items the document cites."""
        if self.citation_el is None:
            raise RefmanError("This style has no citation layout")
        prep = self._prepare(clusters)
        return [self._cluster(prep, ids) for ids in prep.clusters]

    def document_citation(
        self, prep: Prepared, ids: list[str], cites: Sequence[DocumentCite]
    ) -> Blob | None:
        """A citation of a prepared document (refman.formats.csl.document): the items ``ids``,
        each with its cite (position, locator, affixes)."""
        return self._cluster(prep, ids, cites)

    def _cluster(
        self, prep: Prepared, ids: list[str], cites: Sequence[DocumentCite] | None = None
    ) -> Blob | None:
        """A citation of the items ``ids``; in a document each has its ``cites`` entry (the
        cite's position, locator, affixes)."""
        if not ids:
            return None
        rendered = self._cites(prep, ids, cites)
        if rendered and rendered[0].author_only:
            return _author_only(rendered[0].blob)
        layout = self.citation_el.find(q("layout"))
        delimiter = layout.get("delimiter", "")
        collapse = self.citation_el.get("collapse", "")
        if collapse == "citation-number":
            dash = self.locale.term("citation-range-delimiter") or "\u2013"
            joined = _collapse_numbers(rendered, delimiter, dash)
        elif collapse.startswith("year"):
            joined = _collapse_authors(self.citation_el, rendered, delimiter)
        else:
            joined = group([c.blob for c in rendered], delimiter)
        ctx = Ctx(self, prep.items[ids[0]], self.citation_el)
        return formatted(ctx, joined, _layout_attrs(dict(layout.attrib)))

    def cite_order(
        self,
        prep: Prepared,
        ids: list[str],
        blobs: list[Blob | None] | None = None,
        suppressed: list[str] | None = None,
    ) -> list[int]:
        """The indexes of a citation's items in the order the style sorts its cites (their
        ``blobs`` and the names suppress-author left out of them, when already rendered)."""
        items = [prep.items[i] for i in ids]
        numbers = {n: prep.numbers[i] for n, i in enumerate(ids)}
        # citeproc-js computes a citation's sort keys without year suffixes.
        order = self._sorted(self.citation_el, items, numbers, {})
        sort = self.citation_el.find(q("sort"))
        if sort is not None and len(order) > 1 and self._grouped_sort():
            if blobs is None:
                blobs = [self._cite_blob(prep, item_id, None) for item_id in ids]
            first = next(sort.iterchildren(q("key")))
            values = [
                self._key_value(first, item, numbers[n], self.citation_el, "")
                for n, item in enumerate(items)
            ]
            names = [
                _names_key(blob, suppressed[n] if suppressed else "")
                for n, blob in enumerate(blobs)
            ]
            order = _grouped(order, names, values, first.get("sort") == "descending")
        return order

    def _cite_blob(self, prep: Prepared, item_id: str, cite: DocumentCite | None) -> Blob | None:
        """One cite of an item, without its affixes."""
        return self._cite_render(prep, item_id, cite)[0]

    def _cite_render(
        self, prep: Prepared, item_id: str, cite: DocumentCite | None
    ) -> tuple[Blob | None, str]:
        """One cite of an item, without its affixes, and the text of the names that
        suppress-author left out of it ("" when none)."""
        layout = self.citation_el.find(q("layout"))
        suffix = _suffix(prep.doc.tokens[item_id].config) if prep.doc else ""
        ctx = Ctx(
            self,
            prep.items[item_id],
            self.citation_el,
            number=prep.numbers[item_id],
            year_suffix=suffix,
        )
        ctx.dis = self._state(prep.doc, item_id, bibliography=False)
        ctx.cite = cite.state if cite is not None else None
        return layout.item_blob(ctx), ctx.suppressed_names

    def _cites(
        self, prep: Prepared, ids: list[str], cites: Sequence[DocumentCite] | None
    ) -> list[_Rendered]:
        """Each cite of a citation, in the citation's sort order, with its number."""
        renders = [
            self._cite_render(prep, item_id, cites[n] if cites else None)
            for n, item_id in enumerate(ids)
        ]
        blobs = [blob for blob, _ in renders]
        order = self.cite_order(prep, ids, blobs, [names for _, names in renders])
        rendered = []
        for n in order:
            cite = cites[n] if cites else None
            blob, plain, n_number = blobs[n], True, prep.numbers[ids[n]]
            if cite is not None:
                plain = not (cite.prefix or cite.suffix) and _prints_number_only(blob, n_number)
                if blob is not None:
                    blob = _with_affixes(
                        blob, _prefix_space(cite.prefix), _suffix_space(cite.suffix)
                    )
            author_only = cite is not None and cite.author_only
            rendered.append(
                _Rendered(prep.numbers[ids[n]], blob, plain, author_only, renders[n][1])
            )
        return rendered

    def _grouped_sort(self) -> bool:
        """citeproc-js keeps the cites of one author together in author-date styles that
        collapse: the groups are ordered by the first sort key of their first cite."""
        citation = self.citation_el
        return self.root.get("class") == "in-text" and bool(
            citation.get("collapse") or citation.get("cite-group-delimiter")
        )


@dataclass
class Prepared:
    """A document's items (by id, in the order first cited), its citations as item ids, the
    citation numbers, the bibliography order and the disambiguation state (None: not needed)."""

    items: dict[str, Item]
    clusters: list[list[str]]
    numbers: dict[str, int]
    bib_order: list[str]
    doc: Document | None


_AMBIGUITY_CITE = CiteState(position=SUBSEQUENT, near_note=True)


@dataclass
class DocumentCite:
    """A cite of an item in a document: its state (position, locator) and its affixes."""

    state: CiteState
    prefix: str = ""
    suffix: str = ""
    author_only: bool = False


@dataclass
class _Rendered:
    """A cite as rendered in its citation: its number, its output (with the cite's affixes),
    whether it may join a range of numbers (only when it prints its number alone), whether it
    makes the citation author-only, and the names suppress-author left out of it."""

    number: int
    blob: Blob | None
    plain: bool = True
    author_only: bool = False
    suppressed_names: str = ""  # names suppress-author left out, as they would print


# citeproc-js puts a space after a cite's prefix that ends in a letter, a full stop, a colon,
# a semicolon, "&", "!", "?", ")", "]", "," or a digit, and before a suffix that starts with a
# letter, "&", "(" or "[".
_PREFIX_SPACE = re.compile(r"[.;:&!?),\]0-9\w]$")
_SUFFIX_SPACE = re.compile(r"^[&(\[]|^[^\W\d_]")


def _author_only(cite: Blob | None) -> Blob:
    """An author-only citation: the names its first cite prints, without the layout's affixes
    or the other cites; citeproc-js's "[NO_PRINTED_FORM]" when the cite prints none."""
    names = _first_names(cite) if cite is not None else None
    if names is None or names.is_empty():
        return Blob(text="[NO_PRINTED_FORM]")
    return Blob(children=[names])


def _with_affixes(blob: Blob | None, prefix: str, suffix: str) -> Blob | None:
    """A cite with its prefix and suffix. Rich text in them (``<i>``, ``<b>``, ...) is kept
    as markup, and a suffix is marked so that a quotation before it keeps its punctuation
    ("“Title”, n. 3"), as citeproc-js does."""
    if prefix:
        blob = group([parse_markup(prefix), blob]) if "<" in prefix else wrap(blob, prefix=prefix)
    if suffix:
        tail = parse_markup(suffix) if "<" in suffix else leaf(suffix)
        blob = group([blob, Blob(children=[tail], decorations=[(CITE_AFFIX, "true")])])
    return blob


def _prints_number_only(blob: Blob | None, number: int) -> bool:
    """Does a cite print its citation number and nothing else? Only such cites join a range
    ("1–3"); one that prints a locator stands alone ("2(p4)")."""
    return blob is not None and re.sub(r"\W", "", blob.plain_with_affixes()) == str(number)


def _prefix_space(prefix: str) -> str:
    if not prefix:
        return ""
    bare = re.sub(r"<[^>]+>", "", prefix)
    bare = re.sub("[\"'\u201d\u2019\u00bb\u202f\u00a0 ]+$", "", bare)
    spaced = prefix + " " if _PREFIX_SPACE.search(bare) else prefix
    return re.sub(r"\s+", " ", spaced)


def _suffix_space(suffix: str) -> str:
    return " " + suffix if suffix and _SUFFIX_SPACE.search(suffix) else suffix


def _suffix(config: AmbigConfig) -> str:
    return _letters(config.year_suffix) if config.year_suffix is not None else ""


def _grouped(
    order: list[int], names: list[str], values: list[tuple[bool, Any]], descending: bool
) -> list[int]:
    """citeproc-js's grouped sort: cites sorted by their author names first, then each run of
    one author placed by the first sort key of its first cite (ties: where the run began)."""
    by_author = sorted(order, key=lambda n: names[n], reverse=descending)
    placed: list[tuple[tuple[bool, Any], int]] = []
    lead: tuple[bool, Any] = (False, "")  # set at the first cite: each run sets its own
    for position, n in enumerate(by_author):
        if position == 0 or names[n] != names[by_author[position - 1]]:
            lead = values[n]
        placed.append((lead, position))

    def compare(a: int, b: int) -> int:
        result = _compare_one(placed[a][0], placed[b][0], descending)
        if result:
            return result
        return (a > b) - (a < b) if not descending else (a < b) - (a > b)

    positions = sorted(range(len(by_author)), key=cmp_to_key(compare))
    return [by_author[p] for p in positions]


def _names_key(blob: Blob | None, suppressed: str) -> str:
    """The names a cite prints (or that suppress-author left out of it), to group by."""
    found = _first_names(blob) if blob is not None else None
    return _collate(found.plain()) if found is not None else _collate(suppressed)


def _letters(position: int) -> str:
    """a, b, ..., z, aa, ab, ... as citeproc-js numbers year suffixes."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _variable_key(engine: Engine, variable: str, item: Item, number: int) -> tuple[bool, Any]:
    if variable == "citation-number":
        return True, (0, number, "")
    if variable in item.names:
        demote = engine.root.get("demote-non-dropping-particle")
        return True, _collate("; ".join(sort_text(demote, n) for n in item.names[variable]))
    if variable in item.dates:
        return True, item.dates[variable].sort_key()
    value = item.value(variable)
    if not value:
        return False, ""
    if variable in _NUMERIC_VARIABLES and is_numeric(value):
        digits = "".join(c for c in value if c.isdigit())[:12]
        return True, (0, int(digits), _collate(value))
    return True, _collate(value)


def _compare_one(a: tuple[bool, Any], b: tuple[bool, Any], descending: bool) -> int:
    (has_a, value_a), (has_b, value_b) = a, b
    if not has_a or not has_b:
        return 0 if has_a == has_b else (-1 if has_a else 1)  # empty keys sort last
    if type(value_a) is not type(value_b):
        value_a, value_b = str(value_a), str(value_b)
    if value_a == value_b:
        return 0
    result = -1 if value_a < value_b else 1
    return -result if descending else result


def _layout_attrs(attrs: dict[str, str]) -> dict[str, str]:
    keep = set(FORMAT_ATTRIBUTES) | {"prefix", "suffix"}
    return {k: v for k, v in attrs.items() if k in keep}


def _has_display(blob: Blob) -> bool:
    return any(d[0] == "display" for d in blob.decorations)


def _suffix_inside_display(blob: Blob, suffix: str) -> Blob:
    """citeproc-js puts the layout suffix inside the last display block."""
    if suffix:
        blob.children = [Blob(children=blob.children, delimiter=blob.delimiter, suffix=suffix)]
        blob.delimiter = ""
    return blob


def _second_field(children: list[Blob], suffix: str) -> list[Blob]:
    """second-field-align: the first field in the margin, the rest beside it."""
    left = Blob(children=[children[0]], decorations=[("display", "left-margin")])
    rest = wrap(group(children[1:]), suffix=suffix)
    if rest is None:
        return [left]
    return [left, Blob(children=[rest], decorations=[("display", "right-inline")])]


def _collapse_numbers(cites: list[_Rendered], delimiter: str, dash: str) -> Blob | None:
    """Runs of three or more consecutive citation numbers print as a range ("1–3"); a cite
    that prints more than its number (a locator, affixes) stands alone."""
    present = [c for c in cites if c.blob is not None]
    runs: list[list[_Rendered]] = []
    for cite in sorted(present, key=lambda c: c.number):
        last = runs[-1][-1] if runs else None
        if last is not None and last.plain and cite.plain and last.number == cite.number - 1:
            runs[-1].append(cite)
        else:
            runs.append([cite])
    parts: list[Blob | None] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(group([run[0].blob, wrap(run[-1].blob, prefix=dash)]))
        else:
            parts.extend(c.blob for c in run)
    return group(parts, delimiter)


def _collapse_authors(citation: XmlElement, cites: list[_Rendered], delimiter: str) -> Blob | None:
    """collapse="year": cites of the same authors next to each other print the names once
    ("Knowles et al., 2023a, 2023b"), joined by the cite-group delimiter. A cite whose names
    suppress-author left out starts a group too: "(2019, 2020)" as citeproc-js prints it."""
    group_delimiter = citation.get("cite-group-delimiter", ", ")
    after = citation.get("after-collapse-delimiter", delimiter)
    groups: list[tuple[str | None, list[Blob]]] = []
    for rendered in cites:
        cite = rendered.blob
        if cite is None:
            continue
        names = _first_names(cite)
        key = names.plain() if names is not None else rendered.suppressed_names or None
        if groups and key is not None and groups[-1][0] == key:
            if names is not None:
                names.children, names.text = [], ""  # the names print once per group
            groups[-1][1].append(cite)
        else:
            groups.append((key, [cite]))
    parts: list[Blob | None] = []
    for i, (_key, members) in enumerate(groups):
        joined = group(members, group_delimiter)
        if i:
            collapsed_before = len(groups[i - 1][1]) > 1
            joined = wrap(joined, prefix=after if collapsed_before else delimiter)
        parts.append(joined)
    return group(parts)


def _substitute_repeated_authors(engine: Engine, entries: list[Blob | None]) -> None:
    """subsequent-author-substitute: replace an author list that repeats the previous entry's."""
    bibliography = engine.bibliography_el
    substitute = bibliography.get("subsequent-author-substitute")
    if substitute is None:
        return
    previous = None
    for entry in entries:
        names = _first_names(entry) if entry is not None else None
        text = names.plain() if names is not None else None
        if names is not None and text == previous:
            names.children, names.text, names.delimiter = [], substitute, ""
        previous = text


def _first_names(blob: Blob) -> Blob | None:
    """The output of the first cs:names of an entry, in reading order."""
    if blob.role == "names":
        return blob
    for child in blob.children:
        found = _first_names(child)
        if found is not None:
            return found
    return None

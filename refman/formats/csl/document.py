"""Citations as a document's sequence: what a manuscript's citations read once the whole
document is processed, as Zotero's word-processor plugins leave them (citeproc-js's
``processCitationCluster`` called for each citation in turn, earlier ones updated).

A document is a list of ``Citation``s in reading order, each a list of ``Cite``s (an item id,
a locator with its label, a prefix and a suffix, suppress-author) and, in a note style, the
number of the footnote it sits in (0: in the body text). ``cite_document`` renders them with
the document's CSL-JSON items and returns each citation's final text (or HTML) and the
bibliography. What CSL 1.0.2 asks for citations in order is done here or in the engine:

- positions, computed as citeproc-js 2.4.63 does (``_Positions``): first, subsequent, ibid
  and ibid-with-locator (the same item as the cite just before, in the same citation, in the
  previous citation of the same note, or in the previous note when that note cites nothing
  else), near-note within the style's ``near-note-distance`` (default 5) notes, and
  first-reference-note-number; body-text and footnote citations are counted apart;
- locators and their labels (``locator`` and ``<label variable="locator">``, pages in the
  style's page-range-format), prefixes and suffixes spaced as citeproc-js spaces them, their
  rich text (``<i>``) kept, a quotation before a suffix keeping its punctuation;
- suppress-author (the first names a cite prints are left out) and author-only (a citation
  whose first cite asks for it prints that cite's names alone, "Knowles et al.", as an
  author-date style's text names them; citeproc-js prints "[NO_PRINTED_FORM]" when the cite
  prints no names, in a numeric style, and so does refman);
- numbering in order of first citation, ranges of three or more collapsed ("1–3, 5") where the
  style collapses (a cite that prints a locator or has affixes stands alone), sorting of the
  cites inside a citation, author/year collapsing (a suppress-author cite still counts its
  names), and disambiguation against every item the document cites (engine).

Nothing here knows the library: ``refman.library.citing`` turns library items into CSL-JSON.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from refman.formats.csl import engine, entry_texts
from refman.formats.csl.context import (
    FIRST,
    IBID,
    IBID_WITH_LOCATOR,
    SUBSEQUENT,
    CiteState,
)
from refman.formats.csl.engine import DocumentCite, Engine, Prepared
from refman.formats.csl.output import FORMATS, citation_document, render
from refman.formats.csl.textcase import word_set
from refman.formats.csl_json import Json
from refman.model import RefmanError

__all__ = [
    "LOCATOR_LABELS",
    "Cite",
    "Citation",
    "CitedDocument",
    "cite_document",
    "citation_from_json",
]

# The locator terms of CSL 1.0.2 (a cite's ``label``).
LOCATOR_LABELS = word_set(
    """act appendix article-locator book canon chapter column elocation equation figure folio
    issue line note opus page paragraph part rule scene section sub-verbo supplement table
    timestamp title-locator verse version volume"""
)


@dataclass(frozen=True)
class Cite:
    """One item cited in a citation. A locator without a label is a page."""

    id: str
    locator: str = ""
    label: str = ""
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False
    author_only: bool = False  # the citation prints the first cite's names alone

    @property
    def locator_label(self) -> str:
        return (self.label or "page") if self.locator else ""


@dataclass(frozen=True)
class Citation:
    """One citation of a document: its cites, and the footnote it sits in (0: body text)."""

    cites: tuple[Cite, ...]
    note: int = 0


@dataclass
class CitedDocument:
    """A document's citations as they finally read, in order, its bibliography, and the
    CSL-JSON of each item cited, by id (what a Zotero-style field in the document carries)."""

    citations: list[str] = field(default_factory=list)
    bibliography: list[str] = field(default_factory=list)
    items: dict[str, Json] = field(default_factory=dict)
    # The item id of each bibliography entry ([] in the rare style whose layout prints nothing
    # for some item: the entries then cannot be told apart).
    entry_ids: list[str] = field(default_factory=list)


def cite_document(
    items: Sequence[Json],
    citations: Sequence[Citation],
    style: str,
    fmt: str = "text",
    locale: str = "",
    uncited: Sequence[str] = (),
    omitted: Collection[str] = (),
) -> CitedDocument:
    """The final text (or HTML, RTF) of each of a document's ``citations`` and its
    bibliography, for the CSL-JSON ``items`` they cite, in ``style`` (in ``locale``, a
    language tag, when the style has no default-locale of its own). The items ``uncited``
    (ids) are in the bibliography without being cited (numbered after the cited ones, as
    citeproc-js's uncited items); those ``omitted`` are left out of it."""
    if fmt not in FORMATS:
        raise RefmanError(f"Unknown output format '{fmt}' (use one of: {', '.join(FORMATS)})")
    compiled = engine(style, locale)
    if compiled.citation_el is None:
        raise RefmanError("This style has no citation layout")
    by_id = _items_by_id(items)
    for number, citation in enumerate(citations, 1):
        for cite in citation.cites:
            if cite.id not in by_id:
                raise RefmanError(f"Citation {number} cites an item that is not given: {cite.id}")
    for item_id in uncited:
        if item_id not in by_id:
            raise RefmanError(f"An uncited item is not given: {item_id}")
    clusters = [[by_id[c.id] for c in citation.cites] for citation in citations]
    cited_ids = {c.id for citation in citations for c in citation.cites}
    extra = [by_id[i] for i in dict.fromkeys(uncited) if i not in cited_ids]
    prep = compiled.prepare([*clusters, extra] if extra else clusters)
    if extra:  # registered for numbers, order and disambiguation; never cited
        prep = replace(prep, clusters=prep.clusters[:-1])
    document_cites = _document_cites(compiled, prep, citations)
    texts = []
    for ids, cites in zip(prep.clusters, document_cites, strict=True):
        blob = compiled.document_citation(prep, ids, cites)
        texts.append(citation_document(render(blob, fmt, compiled.quotes), fmt) if blob else "")
    listed = replace(prep, bib_order=[i for i in prep.bib_order if i not in omitted])
    entries = [] if compiled.bibliography_el is None else compiled.entries(listed)
    entry_ids = listed.bib_order if len(entries) == len(listed.bib_order) else []
    cited = {item_id: by_id[item_id] for item_id in prep.items if item_id in cited_ids}
    return CitedDocument(texts, entry_texts(compiled, entries, fmt), cited, entry_ids)


def _items_by_id(items: Sequence[Json]) -> dict[str, Json]:
    by_id: dict[str, Json] = {}
    for item in items:
        item_id = str(item.get("id", ""))
        if not item_id:
            raise RefmanError("A CSL-JSON item has no id")
        by_id.setdefault(item_id, item)
    return by_id


def _document_cites(
    compiled: Engine, prep: Prepared, citations: Sequence[Citation]
) -> list[list[DocumentCite]]:
    """Each citation's cites (in the citation's own order) with their positions, computed in
    the order the style sorts each citation's cites, as citeproc-js computes them."""
    orders = [compiled.cite_order(prep, ids) for ids in prep.clusters]
    distance = _int(compiled.citation_el.get("near-note-distance"), 5)
    positions = _Positions(distance)
    states: list[list[CiteState]] = [[CiteState() for _ in c.cites] for c in citations]
    # citeproc-js counts positions among body-text citations and among notes apart.
    for in_notes in (False, True):
        positions.reset()
        chosen = [j for j, c in enumerate(citations) if bool(c.note) == in_notes]
        for j in chosen:
            citation = citations[j]
            ordered = [citation.cites[n] for n in orders[j]]
            for n, state in zip(orders[j], positions.citation(ordered, citation.note), strict=True):
                states[j][n] = state
    out = []
    for citation, cite_states in zip(citations, states, strict=True):
        pairs = zip(citation.cites, cite_states, strict=True)
        out.append(
            [
                DocumentCite(state, cite.prefix, cite.suffix, cite.author_only)
                for cite, state in pairs
            ]
        )
    return out


def _capital_after(prefix: str) -> bool:
    """Does a term after this cite prefix start with a capital? Without a prefix, or after one
    that ends a sentence ("See above. Ibid."), as citeproc-js decides it."""
    bare = re.sub(r"<[^>]+>", "", prefix).strip()
    return not bare or (bare[-1] in ".:;!?" and " " in bare)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Positions:
    """citeproc-js's position rules, fed one citation (cites in sorted order) at a time."""

    def __init__(self, near_note_distance: int) -> None:
        self.distance = near_note_distance
        self.reset()

    def reset(self) -> None:
        self.first_ref: dict[str, int] = {}
        self.last_ref: dict[str, int] = {}
        self.cites_in_note: dict[int, int] = {}
        self.previous: tuple[int, list[Cite]] | None = None

    def citation(self, cites: list[Cite], note: int) -> list[CiteState]:
        if self.previous is not None and note and self.previous[0] > note:
            self.reset()  # notes numbered again from a lower number: a new document part
        self.cites_in_note[note] = self.cites_in_note.get(note, 0) + len(cites)
        states = [self._cite(cites, k, note) for k in range(len(cites))]
        self.previous = (note, cites)
        return states

    def _cite(self, cites: list[Cite], k: int, note: int) -> CiteState:
        cite = cites[k]
        state = CiteState(
            locator=cite.locator,
            label=cite.locator_label,
            suppress_author=cite.suppress_author,
            opens_citation=k == 0 and _capital_after(cite.prefix),
        )
        if cite.id not in self.last_ref:
            self.first_ref[cite.id] = self.last_ref[cite.id] = note
        else:
            state.position = self._later_position(cites, k, note)
            if self.first_ref[cite.id] != note:
                state.first_note = self.first_ref[cite.id]
        if note:
            near = note - self.last_ref[cite.id] <= self.distance
            state.near_note = state.position != FIRST and near
            self.last_ref[cite.id] = note
        else:
            state.near_note = state.position != FIRST
        return state

    def _later_position(self, cites: list[Cite], k: int, note: int) -> str:
        """subsequent, ibid or ibid-with-locator for an item cited before."""
        cite, previous = cites[k], self.previous
        before: Cite | None = None  # the cite whose locator ibid compares with
        if k > 0:
            if cites[k - 1].id == cite.id:
                before = cites[k - 1]
        elif previous is not None and previous[1]:
            prev_note, prev_cites = previous
            if prev_note != note:
                # The previous note cites this item first, is the note just before, and
                # cites nothing else (citeproc-js counts the cites in that note).
                alone = self.cites_in_note.get(prev_note) == 1 or prev_note == 0
                if prev_cites[0].id == cite.id and prev_note >= note - 1 and alone:
                    before = prev_cites[0]
            elif prev_cites[-1].id == cite.id:
                before = prev_cites[0]  # citeproc-js compares with the first cite's locator
        if before is None:
            return SUBSEQUENT
        prev_locator = before.locator + before.locator_label if before.locator else ""
        this_locator = cite.locator + cite.locator_label if cite.locator else ""
        if prev_locator and not this_locator:
            return SUBSEQUENT
        if this_locator and this_locator != prev_locator:
            return IBID_WITH_LOCATOR
        return IBID


_CITE_KEYS = {"id", "locator", "label", "prefix", "suffix", "suppress-author", "author-only"}


def citation_from_json(data: Mapping[str, Any], number: int = 1) -> Citation:
    """A citation from JSON: ``{"note": N, "cites": [{"id": ..., "locator": ..., "label": ...,
    "prefix": ..., "suffix": ..., "suppress-author": true, "author-only": true}, ...]}`` (the
    cite fields are
    those of citeproc-js's citation items). ``number`` names the citation in messages."""
    if not isinstance(data, Mapping) or not isinstance(data.get("cites"), list):
        raise RefmanError(f"Citation {number} is not an object with a list of cites")
    note = data.get("note", 0) or 0
    if not isinstance(note, int) or isinstance(note, bool) or note < 0:
        raise RefmanError(f"Citation {number}: the note number must be a whole number")
    return Citation(tuple(_cite(c, number) for c in data["cites"]), note)


def _cite(data: Any, number: int) -> Cite:
    if not isinstance(data, Mapping) or not data.get("id"):
        raise RefmanError(f"Citation {number}: a cite without an item id")
    unknown = sorted(set(data) - _CITE_KEYS)
    if unknown:
        raise RefmanError(f"Citation {number}: unknown cite field {', '.join(unknown)}")
    label = str(data.get("label") or "")
    if label and label not in LOCATOR_LABELS:
        raise RefmanError(
            f"Citation {number}: unknown locator label '{label}' "
            f"(use one of: {', '.join(sorted(LOCATOR_LABELS))})"
        )
    return Cite(
        id=str(data["id"]),
        locator=str(data.get("locator") or "").strip(),
        label=label,
        prefix=str(data.get("prefix") or ""),
        suffix=str(data.get("suffix") or ""),
        suppress_author=bool(data.get("suppress-author")),
        author_only=bool(data.get("author-only")),
    )

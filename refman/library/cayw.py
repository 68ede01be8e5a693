"""Cite as you write: the answer to a picker request (refman.cayw) for the items picked.

``answer(library, ids, request, default_style)`` gives the text an editor receives: the picked
items' keys in a key format (refman.cayw), their CSL-JSON (``json``), a formatted citation or
bibliography in the request's ``style`` or the default one, or an export (``translate`` with
``translator=csljson|biblatex|bibtex``). An item without a citation key (none, in a library
from before keys) is given one from the key pattern first, as Regenerate Citation Key makes
it; ``Answer.changes`` says which, for the window to show them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from refman import cayw
from refman.cayw import CaywError, CaywRequest, Cited, Pick
from refman.library.changes import Changes
from refman.model import ItemId, RefmanError

if TYPE_CHECKING:
    from refman.library.core import Library

# ``translate``'s translators as Better BibTeX names them (lower case, spaces and "better"
# taken out), and the export formats refman writes for them.
TRANSLATORS = {
    "csljson": "csl-json",
    "json": "csl-json",
    "biblatex": "biblatex",
    "bibtex": "bibtex",
    "ris": "ris",
}
# The prefixes a style may come with (Better BibTeX takes Zotero's style URLs as well).
_STYLE_URLS = ("http://www.zotero.org/styles/", "https://www.zotero.org/styles/")


@dataclass(frozen=True)
class Answer:
    """The text for the editor, and the items given a key on the way (to show them)."""

    text: str
    changes: Changes = field(default_factory=Changes)


def answer(
    library: Library,
    picks: Sequence[ItemId | Cited],
    request: CaywRequest,
    default_style: str,
) -> Answer:
    """The request's answer for the items picked (ids, or ``Cited`` with a locator, prefix,
    suffix), in the order picked; "" for none.

    CaywError (a RefmanError, in plain words) for a format, style or translator refman does
    not know. Items gone since the pick are left out."""
    check(request)
    cited = _cited(picks)
    keys, changes = _keys(library, [ItemId(cite.item_id) for cite in cited])
    # Items gone since the pick are left out; the others get their keys.
    cited = [replace(c, key=keys[ItemId(c.item_id)]) for c in cited if c.item_id in keys]
    if not cited:
        return Answer("", changes)
    ids = [ItemId(cite.item_id) for cite in cited]
    fmt = request.format
    if fmt in cayw.KEY_FORMATS:
        text = cayw.format_keys(request, cited)
    elif fmt == "json":
        text = cayw.picks_json(_picks(library, cited))
    elif fmt == "translate":
        text = library.exporting.export(ids, _translator(request))
    else:
        text = _formatted(library, cited, request, default_style)
    return Answer(text, changes)


def _cited(picks: Sequence[ItemId | Cited]) -> list[Cited]:
    """The picks as ``Cited``, each item once (its first pick)."""
    cited: dict[int, Cited] = {}
    for pick in picks:
        cite = pick if isinstance(pick, Cited) else Cited(item_id=int(pick))
        cited.setdefault(cite.item_id, cite)
    return list(cited.values())


def check(request: CaywRequest) -> None:
    """CaywError for a format, command, translator or style refman does not know: said before
    the picker opens, not after the user has picked."""
    request.check()
    translation(request)
    if request.format.startswith("formatted-") and _style(request):
        from refman.formats import csl  # the style catalogue, read on first use

        try:
            csl.find_style(_style(request))
        except RefmanError as exc:
            raise CaywError(str(exc)) from None


def _style(request: CaywRequest) -> str:
    """The style asked (an id or title; Zotero's style URLs are taken too), or ""."""
    style = request.text("style").strip()
    for prefix in _STYLE_URLS:
        style = style.removeprefix(prefix)
    return style


def _keys(library: Library, ids: list[ItemId]) -> tuple[dict[ItemId, str], Changes]:
    """{item: key} of the items still there, those without a key given one."""
    keys = library.keys.of(ids)
    still_there = set(library.items.rows(ids, ["title"]))
    keyless = [i for i in ids if i in still_there and i not in keys]
    changes = Changes()
    if keyless and not library.read_only:
        made, changes = library.keys.regenerate(keyless)
        keys.update(made)
    return {i: k for i, k in keys.items() if i in still_there}, changes


def _picks(library: Library, cited: list[Cited]) -> list[Pick]:
    ids = [ItemId(cite.item_id) for cite in cited]
    rows = library.items.rows(ids, ["title", "item_type"])
    csl = json.loads(library.exporting.export(ids, "csl-json"))
    by_key = {entry.get("id"): entry for entry in csl if isinstance(entry, dict)}
    picks = []
    for cite in cited:
        if (row := rows.get(ItemId(cite.item_id))) is not None:
            title, item_type = row
            csl = by_key.get(cite.key, {})
            picks.append(Pick(cite.key, cite.item_id, title, item_type, csl, cite))
    return picks


def _formatted(
    library: Library, cited: list[Cited], request: CaywRequest, default_style: str
) -> str:
    """``formatted-citation`` or ``formatted-bibliography`` in the asked style (as text, or
    HTML with ``contentType=html``); a citation with locators, prefixes or suffixes is made
    by the document engine, as one citation of a document."""
    style = _style(request) or default_style
    kind = "html" if request.text("contentType").strip().lower() == "html" else "text"
    ids = [ItemId(cite.item_id) for cite in cited]
    try:
        if request.format == "formatted-bibliography":
            return library.exporting.export(ids, kind, style=style).rstrip("\n")
        if any(cite.has_notes or cite.suppress_author for cite in cited):
            return _with_notes(library, cited, style, kind)
        return library.exporting.cite(ids, style, kind)
    except CaywError:
        raise
    except RefmanError as exc:  # an unknown style, said with its close matches
        raise CaywError(str(exc)) from None


def _with_notes(library: Library, cited: list[Cited], style: str, kind: str) -> str:
    from refman.formats.csl.document import Citation, Cite

    cites = tuple(
        Cite(str(c.item_id), c.locator, c.label, c.prefix, c.suffix, c.suppress_author)
        for c in cited
    )
    return library.citing.cite_document(style, [Citation(cites)], kind).citations[0]


def translation(request: CaywRequest) -> str | None:
    """The export format ``translate`` writes for the request, None for another format."""
    return _translator(request) if request.format == "translate" else None


def _translator(request: CaywRequest) -> str:
    asked = request.text("translator", "biblatex")
    name = asked.replace(" ", "").lower().replace("better", "")
    if name not in TRANSLATORS:
        raise CaywError(f"Unknown translator '{asked}'. refman writes: {', '.join(TRANSLATORS)}.")
    return TRANSLATORS[name]


def cite(library: Library, request: CaywRequest, default_style: str) -> str:
    """``/refman/cite``'s answer (JSON) for the LibreOffice extension: a document's citations
    (``citations``, a JSON list in document order, see manuscripts.cite_fields) rendered as a
    whole in ``style`` (the document's) or the default one, in ``locale`` (the document's
    language, when the style sets none), with the bibliography."""
    from refman.library.manuscripts import cite_fields

    try:
        citations = json.loads(request.text("citations", "[]"))
    except ValueError:
        raise CaywError("citations must be a JSON list of citations.") from None
    if not isinstance(citations, list) or not all(isinstance(c, dict) for c in citations):
        raise CaywError("citations must be a JSON list of citations.")
    try:
        answered = cite_fields(library, citations, _style(request) or default_style,
                               request.text("locale").strip())
    except RefmanError as exc:  # an unknown style or item, in plain words
        raise CaywError(str(exc)) from None
    return json.dumps(answered, ensure_ascii=False)

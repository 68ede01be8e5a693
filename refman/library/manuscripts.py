"""``refman format-document``: a manuscript's citations resolved to library items, rendered
as a whole in a CSL style (refman.formats.csl.document), and written back as live,
Zotero-compatible fields with a bibliography (refman.formats.manuscript reads and writes the
.docx or .odt).

What is found is resolved so:
- a typed Pandoc key (``@knowles2023safety``) by the library's citation keys; a typed PMID
  by the items' PMIDs;
- a field written before (by refman or by Zotero): its items by refman's URI or citation key,
  else by the DOI or PMID of its itemData, else by its title; an item the library does not
  hold is cited from the itemData the field carries, and the report says so.

A Zotero bibliography field's settings are applied: its uncited items added (found among
the document's citations by their URIs, in the library by refman's URI, or from the item data
an entry carries), its omitted ones left out, its custom entry texts put in where simple.
In a note style the body text's citations become footnotes (refman.formats.manuscript).

A typed citation naming an item the library does not hold stops the command: nothing is
written, and each one is listed with its paragraph and the text around it. A retracted item
(or one with an expression of concern) is named in the report.
"""

from __future__ import annotations

import os
import random
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refman.formats import manuscript as docs
from refman.model import ItemId, MissingItemError, RefmanError

if TYPE_CHECKING:
    from refman.formats.csl.document import Cite
    from refman.library.core import Library

# The URI of a library item in a field's ``uris`` (Zotero keeps its own there).
REFMAN_URI = "http://refman.local/items/"


@dataclass
class FormatReport:
    """What format-document did, for the terminal and the window."""

    out: Path
    style: str
    citations: int = 0
    items: int = 0
    entries: int = 0
    from_fields: int = 0
    into_notes: int = 0  # body citations a note style put in new footnotes
    boxed: int = 0  # ... and those it left in the text: in text boxes
    embedded: list[str] = field(default_factory=list)  # cited from a field's itemData
    matched: list[str] = field(default_factory=list)  # a Zotero item found by DOI/PMID
    warnings: list[str] = field(default_factory=list)  # retracted, expression of concern
    bibliography: list[str] = field(default_factory=list)  # Zotero's settings, as applied

    def lines(self) -> list[str]:
        lines = [
            f"Wrote {self.out}: {self.citations} citation{'s' * (self.citations != 1)} of "
            f"{self.items} item{'s' * (self.items != 1)} in {self.style}, "
            f"a bibliography of {self.entries} entr{'ies' if self.entries != 1 else 'y'}."
        ]
        if not self.citations:
            lines.append("No citations were found: write them as [@key] or [PMID: 123].")
        if self.from_fields:
            lines.append(f"{self.from_fields} citation(s) were fields written before: updated.")
        if self.into_notes:
            lines.append(f"{self.into_notes} citation(s) in the text were put in new footnotes "
                         "(a note style).")
        if self.boxed:
            lines.append(f"{self.boxed} citation(s) in text boxes stay in the text: a text box "
                         "holds no footnotes.")
        lines += [f"Matched to the library by its identifier: {m}" for m in self.matched]
        lines += [f"Not in the library, cited from the document's own data: {e}"
                  for e in self.embedded]
        lines += [f"Bibliography as set in Zotero: {b}" for b in self.bibliography]
        lines += [f"Warning: {w}" for w in self.warnings]
        return lines


@dataclass
class _Resolved:
    cites: list[Cite]
    items: list[dict[str, Any]]  # the field's citationItems, without itemData yet


def format_document(
    library: Library,
    source: Path,
    out: Path,
    style: str | None = None,
    locale: str | None = None,
) -> FormatReport:
    """Format the manuscript ``source`` into ``out`` (see the module's docstring), in
    ``style`` and ``locale`` (a language tag), else those the document's preferences name."""
    from refman.formats.csl import DEFAULT_STYLE, engine, find_style
    from refman.formats.csl.document import Citation, cite_document
    from refman.library.notices import warning_lines

    _check_paths(library.path, source, out)
    manuscript = docs.read(source)
    style_id = find_style(style or manuscript.style_id or DEFAULT_STYLE).id
    locale = _checked_locale(locale or manuscript.locale)
    report = FormatReport(out, style_id)
    if engine(style_id).root.get("class") == "note":  # body citations become footnotes
        report.into_notes = docs.move_into_notes(manuscript)
        report.boxed = sum(1 for f in manuscript.found if not f.note)
    embedded: dict[str, dict[str, Any]] = {}
    resolved = [_resolve(library, found, embedded, report) for found in manuscript.found]
    unknown = [(found, what) for found, (_, missing) in zip(manuscript.found, resolved,
                                                             strict=True) for what in missing]
    if unknown:
        raise RefmanError(_unknown_message(source, unknown))
    settings = _bibliography_settings(library, manuscript, [r for r, _ in resolved], embedded,
                                      report)
    ids = list(dict.fromkeys(
        ItemId(int(key)) for key in [*(c.id for r, _ in resolved for c in r.cites),
                                     *settings.uncited] if key.isdigit()))
    csl = _csl_with_keys(library, ids)  # in each field: found again by key elsewhere
    citations = [Citation(tuple(r.cites), found.note)
                 for found, (r, _) in zip(manuscript.found, resolved, strict=True)]
    given = [*csl, *embedded.values()]
    cited, shown = (
        cite_document(given, citations, style_id, fmt, locale, settings.uncited, settings.omitted)
        for fmt in ("text", "html")
    )
    by_id = {str(item["id"]): item for item in [*csl, *embedded.values()]}
    _apply_custom(shown, settings, by_id, report)
    rendered = []
    for found, (r, _), text, html in zip(
        manuscript.found, resolved, cited.citations, shown.citations, strict=True
    ):
        items = [dict(item, itemData={**by_id[c.id], "id": item["id"]})
                 for item, c in zip(r.items, r.cites, strict=True)]
        citation_id = (found.data or {}).get("citationID") or _random_id()
        rendered.append((docs.field_json(str(citation_id), items, text, found.note), html))
    docs.write(manuscript, docs.Rendered(rendered, shown.bibliography, style_id, locale), out)
    report.citations = len(rendered)
    report.items = len(cited.items)
    report.entries = len(cited.bibliography)
    report.bibliography += [f"{what}: {_title(by_id[key])}" for what, key in settings.applied]
    report.warnings += warning_lines(library.notices.cited_warnings(ids), "cited in the manuscript")
    return report


def _check_paths(library_path: Path, source: Path, out: Path) -> None:
    """Refused before any file is opened: the library's own files (only SQLite may open them
    while it is open: README, Safety), OUT over IN, a copy of another kind."""
    from refman.library import backups

    for path in (source, out):
        if backups.is_library_file(library_path, path):
            raise RefmanError(f"{path} is the library itself or one of its backups, "
                              "not a manuscript.")
    if not source.is_file():
        raise RefmanError(f"There is no file {source}.")
    if out.exists() and os.path.samefile(out, source):
        raise RefmanError("OUT is the manuscript itself: give another file to write the copy to.")
    if out.suffix.lower() != source.suffix.lower():
        raise RefmanError(f"OUT must be a {source.suffix} file like the manuscript: {out}")


def _random_id() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=8))


def _unknown_message(source: Path, unknown: list[tuple[docs.Found, str]]) -> str:
    lines = [f"{len(unknown)} citation{'s' * (len(unknown) != 1)} in {source} name items the "
             "library does not hold; nothing was written:"]
    for found, what in unknown:
        where = f"footnote {found.note}" if found.note else f"paragraph {found.paragraph}"
        lines.append(f"  {where}: {what} in {found.context}")
    return "\n".join(lines)


def _resolve(
    library: Library, found: docs.Found, embedded: dict[str, dict[str, Any]], report: FormatReport
) -> tuple[_Resolved, list[str]]:
    """The cites of one citation, and what it names that the library does not hold."""
    if found.data is not None:
        report.from_fields += 1
        resolved, missing = _resolve_field(library, found.data, embedded, report)
        if not resolved.cites and not missing:
            missing = ["a citation field that names no item"]
        return resolved, missing
    resolved = _Resolved([], [])
    missing = []
    for typed in found.cites:
        item_id = _typed_item(library, typed)
        if item_id is None:
            missing.append(_typed_name(typed))
            continue
        resolved.cites.append(_cite(str(item_id), typed.locator, typed.label, typed.prefix,
                                    typed.suffix, typed.suppress_author))
        resolved.items.append(_citation_item(item_id, resolved.cites[-1]))
    return resolved, missing


def _typed_name(typed: docs.TypedCite) -> str:
    if typed.marker:
        return f"{{ {typed.marker} | {typed.key} }}"
    return f"@{typed.key}" if typed.key else f"PMID {typed.pmid}"


def _typed_item(library: Library, typed: docs.TypedCite) -> ItemId | None:
    if typed.key:
        found = library.keys.item_with(typed.key)
        if found is not None or not typed.marker:
            return found
        return _item_by_author_year(library, typed.marker)
    return library.items.with_identifiers("pmid", [typed.pmid]).get(typed.pmid)


def _item_by_author_year(library: Library, marker: str) -> ItemId | None:
    """The one item whose first author and year a scannable cite names ("Knowles et al.,
    2023"); None when none or several match (then it is listed as unknown)."""
    from refman.model import ViewQuery

    match = re.match(r"\s*([^\W\d][\w'’-]*).*?\b(\d{4})[a-z]?\s*$", marker)
    if not match:
        return None
    try:
        query = f"{match.group(1)}[au] AND {match.group(2)}[dp]"
        found = library.items.search(ViewQuery(text=query))
    except RefmanError:
        return None
    return found[0] if len(found) == 1 else None


def _cite(item_id: str, locator: str, label: str, prefix: str, suffix: str,
          suppress: bool) -> Cite:
    from refman.formats.csl.document import LOCATOR_LABELS, Cite

    return Cite(item_id, locator=locator, label=label if label in LOCATOR_LABELS else "",
                prefix=prefix, suffix=suffix, suppress_author=suppress)


def _citation_item(item_id: ItemId | str, cite: Cite) -> dict[str, Any]:
    """A citationItem as Zotero writes it (itemData is added once rendered)."""
    item: dict[str, Any] = {"id": item_id}
    if isinstance(item_id, int):
        item["uris"] = [f"{REFMAN_URI}{item_id}"]
    for name, value in (("locator", cite.locator), ("label", cite.label if cite.locator else ""),
                        ("prefix", cite.prefix), ("suffix", cite.suffix)):
        if value:
            item[name] = value
    if cite.suppress_author:
        item["suppress-author"] = True
    return item


def _resolve_field(
    library: Library, data: dict[str, Any], embedded: dict[str, dict[str, Any]],
    report: FormatReport
) -> tuple[_Resolved, list[str]]:
    """A field's cites, and those it names without their data that the library lacks."""
    resolved = _Resolved([], [])
    missing = []
    for entry in data.get("citationItems") or []:
        if not isinstance(entry, dict):
            continue
        given = entry.get("itemData")
        item_data: dict[str, Any] = given if isinstance(given, dict) else {}
        item_id = _field_item(library, entry, item_data, report)
        if item_id is None and not item_data:
            missing.append(f"an item of a field without its data ({entry.get('uris') or '?'})")
            continue
        key = _embed(item_data, entry, embedded, report) if item_id is None else str(item_id)
        cite = _cite(key, str(entry.get("locator") or ""), str(entry.get("label") or ""),
                     str(entry.get("prefix") or ""), str(entry.get("suffix") or ""),
                     bool(entry.get("suppress-author")))
        resolved.cites.append(cite)
        resolved.items.append(_citation_item(item_id if item_id is not None else key, cite))
        theirs = [str(u) for u in entry.get("uris") or [] if not str(u).startswith(REFMAN_URI)]
        if item_id is None and entry.get("uris"):
            resolved.items[-1]["uris"] = entry["uris"]  # a co-author's Zotero finds its own
        elif theirs:  # refman's URI first, the co-author's Zotero's after it
            resolved.items[-1]["uris"] += theirs
    return resolved, missing


def _field_item(library: Library, entry: dict[str, Any], item_data: dict[str, Any],
                report: FormatReport) -> ItemId | None:
    """The library item a field's citationItem names: refman's URI and citation key first,
    then the DOI or PMID of its itemData, then its title (one item with that title)."""
    ours = [u for u in entry.get("uris") or [] if str(u).startswith(REFMAN_URI)]
    key = str(item_data.get("citation-key") or "")
    item_id = library.keys.item_with(key) if key else _our_item(library, ours, item_data)
    if item_id is not None:
        return item_id
    for kind, name in (("doi", "DOI"), ("pmid", "PMID")):
        value = str(item_data.get(name) or "").strip()
        if value:
            found = library.items.with_identifiers(kind, [value]).get(value)
            if found is not None:
                if not ours:
                    report.matched.append(f"{name} {value} ({_title(item_data)})")
                return found
    found = _item_with_title(library, str(item_data.get("title") or ""))
    if found is not None:
        report.matched.append(f"title ({_title(item_data)})")
    return found


def _our_item(library: Library, ours: list[str], item_data: dict[str, Any]) -> ItemId | None:
    """The item refman's URI names, when its title is the field's: a URI written from another
    refman library (a co-author's) names another item by the same number."""
    number = ours[0][len(REFMAN_URI) :] if ours else ""
    if not number.isdigit():
        return None
    rows = library.items.rows([ItemId(int(number))], ["title"])
    title = (rows.get(ItemId(int(number))) or ("",))[0] or ""
    same = bool(title) and _plain(title) == _plain(str(item_data.get("title") or ""))
    return ItemId(int(number)) if same else None


def _item_with_title(library: Library, title: str) -> ItemId | None:
    """The one item whose title is ``title`` (case, spaces and punctuation aside), or None."""
    from refman.model import ViewQuery

    wanted = _plain(title)
    words = re.sub(r"[^\w\s-]", " ", title).split()
    if not wanted or not words:
        return None
    try:
        ids = library.items.search(ViewQuery(text=f'"{" ".join(words)}"[ti]'))[:50]
    except RefmanError:
        return None
    rows = library.items.rows(ids, ["title"])
    same = [item_id for item_id in ids if _plain(rows.get(item_id, ("",))[0] or "") == wanted]
    return same[0] if len(same) == 1 else None


@dataclass
class _Settings:
    """A Zotero bibliography field's settings as this document's items: those listed uncited
    and omitted, custom entry texts (HTML), by the engine's item id, and what was applied."""

    uncited: list[str] = field(default_factory=list)
    omitted: set[str] = field(default_factory=set)
    custom: dict[str, str] = field(default_factory=dict)
    applied: list[tuple[str, str]] = field(default_factory=list)  # (what, item id)


def _bibliography_settings(
    library: Library, manuscript: docs.Manuscript, resolved: list[_Resolved],
    embedded: dict[str, dict[str, Any]], report: FormatReport
) -> _Settings:
    """Zotero's ``{"uncited": [...], "omitted": [...], "custom": [[uris, text], ...]}``: each
    item named by its URIs (as Zotero writes them) found among the document's citations, or in
    the library (refman's URI), or from the item data an entry carries; an item found nowhere
    is told and stays in the field (Zotero finds it again)."""
    data = docs.bibliography_settings(manuscript.bibliography_code)
    settings = _Settings()
    if not data:
        return settings
    by_uri = {str(uri): cite.id for r in resolved for item, cite in zip(r.items, r.cites,
              strict=True) for uri in item.get("uris") or []}
    for kind in ("uncited", "omitted", "custom"):
        for entry in data.get(kind) or []:
            named = entry[0] if kind == "custom" and isinstance(entry, list) and entry else entry
            key = _settings_item(library, named, by_uri, embedded, report)
            if key is None:
                report.warnings.append(f"the bibliography's {kind} item {_uris(named)} is neither "
                                       "cited in the document nor in the library: left as it is")
            elif kind == "uncited":
                settings.uncited.append(key)
                settings.applied.append(("uncited item added", key))
            elif kind == "omitted":
                settings.omitted.add(key)
                settings.applied.append(("omitted item left out", key))
            else:
                text = entry[1] if isinstance(entry, list) and len(entry) > 1 else ""
                settings.custom[key] = str(text)
    return settings


def _settings_item(library: Library, entry: Any, by_uri: dict[str, str],
                   embedded: dict[str, dict[str, Any]], report: FormatReport) -> str | None:
    """The engine's id of an item a bibliography setting names (a URI, a list of URIs, or an
    object with ``uris`` and ``itemData``), or None."""
    item_data: dict[str, Any] = {}
    if isinstance(entry, dict):
        given = entry.get("itemData")
        item_data = given if isinstance(given, dict) else {}
        entry = entry.get("uris") or []
    uris = [str(u) for u in (entry if isinstance(entry, list) else [entry])]
    for uri in uris:
        if uri in by_uri:
            return by_uri[uri]
    ours = [u for u in uris if u.startswith(REFMAN_URI) and u[len(REFMAN_URI):].isdigit()]
    if ours and not item_data:
        item_id = ItemId(int(ours[0][len(REFMAN_URI):]))
        return str(item_id) if library.items.rows([item_id], ["title"]) else None
    if not item_data:
        return None
    found = _field_item(library, {"uris": uris}, item_data, report)
    if found is not None:
        return str(found)
    return _embed(item_data, {"id": uris[0] if uris else ""}, embedded, report)


def _uris(entry: Any) -> str:
    if isinstance(entry, dict):
        entry = entry.get("uris") or "?"
    return ", ".join(str(u) for u in entry) if isinstance(entry, list) else str(entry)


# A custom entry's text refman writes: plain text with italics, bold, super- and subscript.
_SIMPLE_TAGS = re.compile(r"</?(?:i|b|em|strong|sup|sub|span|div)(?:\s[^<>]*)?>", re.I)


def _apply_custom(shown: Any, settings: _Settings, by_id: dict[str, dict[str, Any]],
                  report: FormatReport) -> None:
    """Custom entry texts put in place of the entries they edit (HTML), where simple."""
    for key, text in settings.custom.items():
        simple = not text.lstrip().startswith("{\\rtf") and "<" not in _SIMPLE_TAGS.sub("", text)
        if key in shown.entry_ids and simple and text.strip():
            at = shown.entry_ids.index(key)
            shown.bibliography[at] = f'<div class="csl-entry">{text}</div>'
            settings.applied.append(("entry text as edited", key))
        else:
            report.warnings.append(f"the bibliography's edited entry for {_title(by_id[key])} "
                                   "was not applied (its text is not simple, or the item is "
                                   "not in the bibliography): refresh in Zotero to see it")


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _embed(item_data: dict[str, Any], entry: dict[str, Any],
           embedded: dict[str, dict[str, Any]], report: FormatReport) -> str:
    """An item the library does not hold, cited from the field's own CSL-JSON."""
    key = f"document-{entry.get('id') or len(embedded) + 1}"
    if key not in embedded:
        embedded[key] = {"type": "document", **item_data, "id": key}
        report.embedded.append(_title(item_data))
    return key


def _title(item_data: dict[str, Any]) -> str:
    return str(item_data.get("title") or "untitled")


# --- citing as one writes (the LibreOffice extension, through /refman/cite) -------------------


def cite_fields(
    library: Library, citations: list[dict[str, Any]], style: str | None = None,
    locale: str = "",
) -> dict[str, Any]:
    """A document's citations rendered as a whole, for the LibreOffice extension: each of
    ``citations`` (in document order) is ``{"citationID": ..., "note": N, "items": [cite,
    ...]}`` (``note``: the number of the footnote it sits in, 0 in the body text), a cite
    naming its item by ``key`` (citation key), else ``DOI``, ``PMID`` or ``title``, with its
    ``locator``, ``label``, ``prefix``, ``suffix``, ``suppress-author``. Answers the style's
    id and whether it is a note style, each citation's text, its marked pieces (``runs``:
    ``[text, ["i", "b", "sup", "sub", "sc"]]``) and field JSON (as format-document writes
    them) and the bibliography's entries (text, and ``bibliography_runs``). ``locale``: a
    language tag (de-DE) used when the style sets none. RefmanError for an item the library
    does not hold (each listed), an unknown style or a malformed locale."""
    from refman.formats.csl import DEFAULT_STYLE, find_style
    from refman.formats.csl.document import Citation, cite_document

    found = find_style(style or DEFAULT_STYLE)
    style_id = found.id
    locale = _checked_locale(locale)
    resolved, missing = [], []
    for number, citation in enumerate(citations, 1):
        one, lacking = _resolve_cites(library, citation.get("items") or [])
        resolved.append(one)
        missing += [f"citation {number}: {what}" for what in lacking]
    if missing:
        raise RefmanError("The library does not hold these items: " + "; ".join(missing))
    notes = [_note_number(citation) for citation in citations]
    ids = list(dict.fromkeys(ItemId(int(c.id)) for r in resolved for c in r.cites))
    csl = _csl_with_keys(library, ids)
    wanted = [Citation(tuple(r.cites), note) for r, note in zip(resolved, notes, strict=True)]
    cited = cite_document(csl, wanted, style_id, "text", locale)
    shown = cite_document(csl, wanted, style_id, "html", locale)
    by_id = {str(item["id"]): item for item in csl}
    out = []
    for citation, r, note, text, html in zip(citations, resolved, notes, cited.citations,
                                             shown.citations, strict=True):
        items = [dict(item, itemData={**by_id[c.id], "id": item["id"]})
                 for item, c in zip(r.items, r.cites, strict=True)]
        citation_id = str(citation.get("citationID") or _random_id())
        out.append({"text": text, "runs": _runs(html),
                    "field": docs.field_json(citation_id, items, text, note)})
    return {"style": style_id, "note": found.citation_format == "note", "locale": locale,
            "citations": out, "bibliography": list(cited.bibliography),
            "bibliography_runs": [_runs(entry) for entry in shown.bibliography]}


def _note_number(citation: dict[str, Any]) -> int:
    note = citation.get("note") or 0
    return note if isinstance(note, int) and not isinstance(note, bool) and note > 0 else 0


def _runs(html: str) -> list[list[Any]]:
    """The engine's HTML as pieces of text with their marks (italic, bold, superscript...)."""
    return [[text, sorted(marks)] for text, marks in docs.rich(html)]


def _resolve_cites(library: Library, cites: list[Any]) -> tuple[_Resolved, list[str]]:
    """The library items a citation's cites name, and those it does not hold."""
    resolved = _Resolved([], [])
    missing = []
    report = FormatReport(Path(), "")
    for cite in cites:
        if not isinstance(cite, dict):
            continue
        data = {"citation-key": cite.get("key"), "DOI": cite.get("DOI"),
                "PMID": cite.get("PMID"), "title": cite.get("title")}
        item_data = {name: str(value) for name, value in data.items() if value}
        item_id = _field_item(library, {"uris": cite.get("uris") or []}, item_data, report)
        if item_id is None:
            missing.append(str(cite.get("key") or cite.get("title") or "an item with no key"))
            continue
        one = _cite(str(item_id), str(cite.get("locator") or ""), str(cite.get("label") or ""),
                    str(cite.get("prefix") or ""), str(cite.get("suffix") or ""),
                    bool(cite.get("suppress-author")))
        resolved.cites.append(one)
        resolved.items.append(_citation_item(item_id, one))
    return resolved, missing


def _csl_with_keys(library: Library, ids: list[ItemId]) -> list[dict[str, Any]]:
    """The items' CSL-JSON, each with its citation key (a field is found by it again)."""
    try:
        csl = library.citing.csl_items(ids)
    except MissingItemError as exc:
        raise RefmanError(f"An item cited went away meanwhile: {exc}") from None
    keys = library.keys.of(ids)
    return [dict(item, **{"citation-key": keys[ItemId(int(item["id"]))]})
            if ItemId(int(item["id"])) in keys else item for item in csl]


def _checked_locale(locale: str) -> str:
    """``locale`` when it is a language tag (or ""); a RefmanError in plain words if not."""
    if locale and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", locale):
        raise RefmanError(f"'{locale}' is not a language tag such as en-US, en-GB or de-DE.")
    return locale

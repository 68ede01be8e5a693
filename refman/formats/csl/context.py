"""What the CSL elements render from: the item, the rendering context and shared formatting.

``Item`` holds one CSL-JSON record split into text, name and date variables. ``Ctx`` is the
state of rendering one item in one place (bibliography entry, citation or sort key): which
variables a ``cs:substitute`` has used up, the group frames that decide whether a ``cs:group``
is suppressed (CSL: a group that calls variables and renders none of them is dropped), the
citation number and year suffix. ``formatted`` applies an element's affixes, formatting,
quotes, text-case and display to a rendered blob.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from refman.formats.csl.blob import Blob, wrap
from refman.formats.csl.compiled_style import CompiledStyle
from refman.formats.csl.disambiguation import RenderState
from refman.formats.csl.names import PersonName, name_from_csl
from refman.formats.csl.textcase import apply_text_case, strip_periods, word_set

NAME_VARIABLES = word_set(
    """author chair collection-editor compiler composer container-author contributor curator
    director editor editorial-director executive-producer guest host illustrator interviewer
    narrator organizer original-author performer producer recipient reviewed-author
    script-writer series-creator translator"""
)
DATE_VARIABLES = word_set(
    """accessed available-date event-date issued original-date submitted container"""
)
# CSL-JSON spellings that some sources use for standard variables.
_ALIASES = {
    "shortTitle": "title-short",
    "journalAbbreviation": "container-title-short",
    "journal-abbreviation": "container-title-short",
}
# An element of a parsed style or locale: lxml, of citeproc-py's classes (which ship no types).
XmlElement = Any
FORMAT_ATTRIBUTES = (
    "font-style",
    "font-variant",
    "font-weight",
    "text-decoration",
    "vertical-align",
)


@dataclass
class DateValue:
    """A CSL date: one or two (year, month, day) triples, or a literal."""

    parts: list[tuple[int, int, int]] = field(default_factory=list)  # 0 where unknown
    season: str = ""
    literal: str = ""
    circa: bool = False

    def __bool__(self) -> bool:
        return bool(self.literal) or any(p[0] for p in self.parts)

    def sort_key(self) -> str:
        if not self.parts:
            return self.literal
        return "-".join(f"{y + 10000:05d}{m:02d}{d:02d}" for y, m, d in self.parts)


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _triple(parts: Sequence[Any]) -> tuple[int, int, int]:
    values = [_int(p) for p in list(parts)[:3]] + [0, 0, 0]
    return values[0], values[1], values[2]


_ISO_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def date_from_csl(value: Any) -> DateValue:
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            return DateValue([_triple([g or 0 for g in match.groups()])])
        return DateValue(literal=value.strip())
    if not isinstance(value, Mapping):
        return DateValue()
    parts = [_triple(p) for p in value.get("date-parts") or [] if p]
    parts = [p for p in parts if p[0]]
    if not parts and value.get("raw"):
        return date_from_csl(str(value["raw"]))
    return DateValue(
        parts=parts[:2],
        season=str(value.get("season") or ""),
        literal=str(value.get("literal") or "") if not parts else "",
        circa=bool(value.get("circa")),
    )


class Item:
    """One CSL-JSON record, split by kind of variable."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.id = str(data.get("id", ""))
        self.type = str(data.get("type") or "article")
        self.fields: dict[str, str] = {}
        self.names: dict[str, list[PersonName]] = {}
        self.dates: dict[str, DateValue] = {}
        for key, value in data.items():
            self._add(_ALIASES.get(key, key), value)

    def _add(self, key: str, value: Any) -> None:
        if key in ("id", "type") or value is None:
            return
        if key in NAME_VARIABLES:
            names = [name_from_csl(n) for n in value if isinstance(n, Mapping)]
            if names:
                self.names[key] = names
        elif key in DATE_VARIABLES:
            date = date_from_csl(value)
            if date:
                self.dates[key] = date
        elif isinstance(value, (str, int, float)) and str(value).strip():
            self.fields.setdefault(key, str(value).strip())

    @property
    def language(self) -> str:
        return self.fields.get("language", "")

    def has(self, variable: str) -> bool:
        return variable in self.fields or variable in self.names or variable in self.dates

    def value(self, variable: str) -> str:
        return self.fields.get(variable, "")


# CSL positions, ranked as citeproc-js compares them: a test of "subsequent" also holds for
# ibid and ibid-with-locator, a test of "ibid" also for ibid-with-locator.
FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = "first", "subsequent", "ibid", "ibid-with-locator"
POSITION_RANK = {FIRST: 0, SUBSEQUENT: 1, IBID: 2, IBID_WITH_LOCATOR: 3}


@dataclass
class CiteState:
    """What a cite in a document adds to its item: its position among the document's cites,
    its locator and label, and whether the author is left out."""

    position: str = FIRST
    near_note: bool = False
    first_note: int = 0  # first-reference-note-number (0: none)
    locator: str = ""
    label: str = ""  # a CSL locator term ("page", "figure", ...)
    suppress_author: bool = False
    # Does the cite open its citation (no cite or prefix text before it)? Only then does a
    # term that starts it take a capital ("Ibid." but "...; ibid.", "see ibid.").
    opens_citation: bool = True


@dataclass
class Frame:
    """A cs:group being rendered: did it call variables, and did any of them render?"""

    attempted: bool = False
    rendered: bool = False


class Ctx:
    """The state of rendering one item."""

    def __init__(
        self,
        style: CompiledStyle,
        item: Item,
        area_el: Any,
        *,
        number: int = 0,
        year_suffix: str = "",
        sorting: Mapping[str, str] | None = None,
    ) -> None:
        self.style = style
        self.item = item
        self.area_el = area_el  # the cs:citation or cs:bibliography element
        self.in_bibliography = area_el is not None and area_el.tag.endswith("bibliography")
        self.number = number
        self.year_suffix = year_suffix
        self.sorting = sorting  # name options for a sort key, or None when not sorting
        self.frames = [Frame()]
        self.suppressed: set[str] = set()
        self.rendered_variables: list[str] = []
        self.started = False  # has any text been printed yet (terms capitalise when not)
        self.year_suffix_done = False  # printed after a year (styles without year-suffix)
        self.dis: RenderState | None = None  # disambiguation settings, where a document has them
        self.cite: CiteState | None = None  # the cite's place in a document, where it has one
        self.author_suppressed = False  # suppress-author: the first names are already left out
        self.suppressed_names = ""  # the text of the names left out (collapse compares it)

    def note(self, variable: str, rendered: bool) -> None:
        """Record that a variable was called, and whether it produced output."""
        frame = self.frames[-1]
        frame.attempted = True
        if rendered:
            frame.rendered = True
            self.rendered_variables.append(variable)
            # citeproc-js does not count the citation number as text already printed.
            self.started = self.started or variable != "citation-number"

    @overload
    def inherit(self, el: Any, name: str) -> str | None: ...
    @overload
    def inherit(self, el: Any, name: str, default: str) -> str: ...
    @overload
    def inherit(self, el: Any, name: str, default: str | None) -> str | None: ...
    def inherit(self, el: Any, name: str, default: str | None = None) -> str | None:
        """An inheritable option: on the element, else on cs:citation/cs:bibliography, else
        on cs:style."""
        if self.sorting and name in self.sorting:
            return self.sorting[name]
        for holder in (el, self.area_el, self.style.root):
            if holder is not None and holder.get(name) is not None:
                value: str = holder.get(name)  # an attribute of the style's XML
                return value
        return default

    @property
    def english(self) -> bool:
        language = self.item.language or self.style.lang
        return language[:2].lower() == "en"


class Format:
    """The output attributes of an element, read once: affixes, formatting, quotes, case."""

    __slots__ = ("strip", "case", "decorations", "prefix", "suffix", "display", "is_text")

    def __init__(self, attrs: Mapping[str, str], is_text: bool = False) -> None:
        self.strip = attrs.get("strip-periods") == "true"
        self.case = attrs.get("text-case")
        self.decorations = [(a, attrs[a]) for a in FORMAT_ATTRIBUTES if a in attrs]
        if attrs.get("quotes") == "true":
            self.decorations.append(("quotes", "true"))
        self.prefix = attrs.get("prefix", "")
        self.suffix = attrs.get("suffix", "")
        self.display = attrs.get("display")
        self.is_text = is_text

    @property
    def is_plain(self) -> bool:
        return not (
            self.strip
            or self.case
            or self.decorations
            or self.prefix
            or self.suffix
            or self.display
        )


def apply_format(ctx: Ctx, blob: Blob | None, fmt: Format | None) -> Blob | None:
    """``blob`` with strip-periods, text-case, formatting, quotes, affixes and display."""
    if blob is None or blob.is_empty():
        return None
    if fmt is None:
        return blob
    if fmt.strip:
        strip_periods(blob)
    # citeproc-js title-cases cs:text always, other elements only for English items.
    if fmt.case and (fmt.case != "title" or fmt.is_text or ctx.english):
        apply_text_case(blob, fmt.case)
    blob = wrap(blob, fmt.prefix, fmt.suffix, fmt.decorations)
    if blob is not None and fmt.display:
        blob = Blob(children=[blob], decorations=[("display", fmt.display)])
    return blob


def formatted(
    ctx: Ctx, blob: Blob | None, attrs: Mapping[str, str], *, is_text: bool = False
) -> Blob | None:
    """``blob`` formatted by the output attributes in ``attrs``."""
    if blob is None or blob.is_empty():
        return None
    return apply_format(ctx, blob, Format(attrs, is_text)) if attrs else blob

"""Rendering CSL dates: date parts, localized formats and date ranges.

A localized date (``<date form="text">``) takes its parts, their order, affixes and the
delimiter between them from the locale; the style's ``cs:date-part`` children may override a
part's form and formatting but not its affixes. In a localized date whose last part is missing
(``date-parts="year-month"`` in a month-day-year locale), the last part printed drops its suffix.

A range prints the parts the two dates share once: ``May 3–5, 2001``, ``May 3–June 5, 2001``,
``2001–2002``, joined by the ``range-delimiter`` of the largest part that differs (an en dash).
"""

from __future__ import annotations

from dataclasses import dataclass

from refman.formats.csl.blob import Blob, group, leaf, wrap
from refman.formats.csl.context import Ctx, DateValue, XmlElement, formatted
from refman.formats.csl.locale import ordinal_suffix, q

_ORDER = ("year", "month", "day")
_PART_ONLY = ("name", "form", "range-delimiter")


@dataclass
class PartSpec:
    name: str
    attrs: dict[str, str]


def localized_specs(locale_date: XmlElement, style_date: XmlElement) -> list[PartSpec]:
    """The parts of a locale date format, with the style's overrides merged in."""
    overrides = {p.get("name"): dict(p.attrib) for p in style_date.iterchildren(q("date-part"))}
    shown = (style_date.get("date-parts") or "year-month-day").split("-")
    specs = []
    for part in locale_date.iterchildren(q("date-part")):
        name = part.get("name")
        if name not in shown:
            continue
        attrs = dict(part.attrib)
        for key, value in overrides.get(name, {}).items():
            if key not in ("prefix", "suffix"):
                attrs[key] = value
        specs.append(PartSpec(name, attrs))
    return specs


def own_specs(style_date: XmlElement) -> list[PartSpec]:
    return [
        PartSpec(p.get("name"), dict(p.attrib)) for p in style_date.iterchildren(q("date-part"))
    ]


def _season(ctx: Ctx, season: str, form: str) -> str:
    if season.isdigit() and 1 <= int(season) <= 4:
        term = ctx.style.locale.term(
            f"season-{int(season):02d}", "short" if form == "short" else "long"
        )
        return term or season
    return season


def _month(ctx: Ctx, month: int, form: str) -> str:
    if month > 12:  # CSL-JSON months 13-16 are the seasons
        return _season(ctx, str(month - 12), form)
    if form == "numeric":
        return str(month)
    if form == "numeric-leading-zeros":
        return f"{month:02d}"
    term_form = "short" if form == "short" else "long"
    return ctx.style.locale.term(f"month-{month:02d}", term_form) or str(month)


def _day(ctx: Ctx, day: int, form: str) -> str:
    if form == "numeric-leading-zeros":
        return f"{day:02d}"
    if form == "ordinal":
        if day > 1 and ctx.style.locale.option("limit-day-ordinals-to-day-1"):
            return str(day)
        return f"{day}{ordinal_suffix(ctx.style.locale, day)}"
    return str(day)


def _year(ctx: Ctx, year: int, form: str) -> str:
    if form == "short":
        return f"{abs(year) % 100:02d}"
    text = str(abs(year))
    if year < 0:
        return text + (ctx.style.locale.term("bc") or "BC")
    if year < 1000:
        return text + (ctx.style.locale.term("ad") or "AD")
    return text


def _implicit_suffix(ctx: Ctx) -> str:
    """citeproc-js prints the year suffix after the first year of a style that never calls the
    ``year-suffix`` variable."""
    if not ctx.year_suffix or ctx.style.explicit_year_suffix or ctx.year_suffix_done:
        return ""
    ctx.year_suffix_done = True
    return ctx.year_suffix


def _part_text(ctx: Ctx, spec: PartSpec, ymd: tuple[int, int, int], season: str) -> str:
    year, month, day = ymd
    form = spec.attrs.get("form", "")
    if spec.name == "year":
        return _year(ctx, year, form) + _implicit_suffix(ctx) if year else ""
    if spec.name == "month":
        if month:
            return _month(ctx, month, form or "long")
        return _season(ctx, season, form) if season else ""
    if spec.name == "day":
        return _day(ctx, day, form) if day and month else ""
    return ""


def _render_parts(
    ctx: Ctx,
    specs: list[PartSpec],
    ymd: tuple[int, int, int],
    season: str,
    delimiter: str,
    drop_last_suffix: bool,
    drop_first_prefix: bool = False,
) -> Blob | None:
    """The parts of one date; in a range, the affixes next to the range delimiter go."""
    texts = [(spec, _part_text(ctx, spec, ymd, season)) for spec in specs]
    texts = [(spec, text) for spec, text in texts if text]
    blobs = []
    for i, (spec, text) in enumerate(texts):
        attrs = {k: v for k, v in spec.attrs.items() if k not in _PART_ONLY}
        if drop_last_suffix and i == len(texts) - 1:
            attrs.pop("suffix", None)
        if drop_first_prefix and i == 0:
            attrs.pop("prefix", None)
        blobs.append(formatted(ctx, leaf(text), attrs))
    return group(blobs, delimiter)


def render_date(
    ctx: Ctx, value: DateValue, specs: list[PartSpec], delimiter: str, localized: bool
) -> Blob | None:
    if value.literal:
        return leaf(value.literal)
    begin = value.parts[0]
    end = value.parts[1] if len(value.parts) > 1 else None
    differ = _first_difference(specs, begin, end) if end and end[0] else None
    if end is None or differ is None:
        drop = localized and _missing_tail(specs, begin, value.season)
        return _render_parts(ctx, specs, begin, value.season, delimiter, drop)
    return _render_range(ctx, specs, begin, end, value.season, delimiter, differ)


def _first_difference(
    specs: list[PartSpec], begin: tuple[int, int, int], end: tuple[int, int, int]
) -> int | None:
    """The largest printed part (0 year, 1 month, 2 day) in which a range's ends differ."""
    shown = {spec.name for spec in specs}
    for i, name in enumerate(_ORDER):
        if name in shown and begin[i] != end[i]:
            return i
    return None


def _missing_tail(specs: list[PartSpec], ymd: tuple[int, int, int], season: str) -> bool:
    """True when the last part of the format will not be printed."""
    if not specs:
        return False
    last = specs[-1].name
    present = {
        "year": bool(ymd[0]),
        "month": bool(ymd[1] or season),
        "day": bool(ymd[2] and ymd[1]),
    }
    return not present.get(last, False)


def _render_range(
    ctx: Ctx,
    specs: list[PartSpec],
    begin: tuple[int, int, int],
    end: tuple[int, int, int],
    season: str,
    delimiter: str,
    differ: int,
) -> Blob | None:
    ranged = set(_ORDER[differ:])
    positions = [i for i, spec in enumerate(specs) if spec.name in ranged]
    if not positions or positions != list(range(positions[0], positions[-1] + 1)):
        positions = list(range(len(specs)))
    first, last = positions[0], positions[-1] + 1
    block = specs[first:last]
    range_delimiter = next(
        (
            s.attrs["range-delimiter"]
            for s in specs
            if s.name == _ORDER[differ] and s.attrs.get("range-delimiter")
        ),
        "–",
    )
    start = _render_parts(ctx, block, begin, season, delimiter, True)
    finish = _render_parts(ctx, block, end, season, delimiter, False, drop_first_prefix=True)
    middle = group([start, wrap(finish, prefix=range_delimiter)])
    before = _render_parts(ctx, specs[:first], begin, season, delimiter, False)
    after = _render_parts(ctx, specs[last:], begin, season, delimiter, False)
    return group([before, middle, after], delimiter)

"""EndNote XML values, read one at a time: styled text, names, dates, identifiers.

EndNote writes each field either as plain text or as runs of ``<style face=... font=...>``
elements (bold, italic, a font); refman keeps the text of the runs. A run in the Symbol font
is what EndNote shows as Greek letters and mathematical signs (``TGF-<style
font="Symbol">b</style>`` is TGF-β): its letters are given as the characters they show.
"""

from __future__ import annotations

import re
from typing import Any

from refman.formats.medline import parse_date
from refman.formats.text import one_line
from refman.model import Creator, Issn, PartialDate

Element = Any  # lxml's element: lxml ships no types

# What the Symbol font shows for a letter or a Latin-1 character (Adobe's Symbol encoding).
_SYMBOL_FONT = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\xa3\xb3\xb4\xae\xb9\xbb\xa5\xd6\xb6\xb7",
    "αβχδεφγηιϕκλμνοπθρστυϖωξψζΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ≤≥×→≠≈∞√∂•",
)


def raw_text(element: Element | None) -> str:
    """The text of a field element and of its ``<style>`` runs, line breaks kept; "" for
    none."""
    if element is None:
        return ""
    if not len(element):  # plain text, as most programs but EndNote write every field
        return element.text or ""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: Element, parts: list[str]) -> None:
    symbol = element.tag == "style" and element.get("font", "").strip().lower() == "symbol"
    text = element.text or ""
    parts.append(text.translate(_SYMBOL_FONT) if symbol else text)
    for child in element:
        if isinstance(child.tag, str):
            _collect(child, parts)
        parts.append(child.tail or "")


def text(element: Element | None) -> str:
    """A field's text on one line (runs of white space as one space)."""
    return one_line(raw_text(element))


def lines(element: Element | None) -> list[str]:
    """A field's lines, each on one line, blank ones left out: EndNote puts several values in
    one field a line each (ISSNs, identifiers, URLs)."""
    return [line for line in map(one_line, raw_text(element).splitlines()) if line]


# --- names -------------------------------------------------------------------------------------

# EndNote's way to end a list whose other names are unknown: "et al.," or "and others,".
_ET_AL = re.compile(r"\s*(?:et\.? al\.?|and others)\s*,?\s*", re.I)
_SUFFIX = re.compile(r"^(?:Jr|Sr|I{2,3}|IV|2nd|3rd)\.?$", re.I)


def creator(name: str, role: str) -> Creator | None:
    """A name as EndNote holds it: ``Last, First``, ``Last, First, Jr.``, ``First Last`` or a
    group with a trailing comma (``World Health Organization,``, EndNote's rule for corporate
    authors). None for a blank name and for ``et al.,`` (EndNote's "more authors")."""
    name = one_line(name)
    if not name.strip(" ,") or _ET_AL.fullmatch(name):
        return None
    if name.endswith(","):
        return Creator(literal=name.rstrip(" ,"), role=role)
    if "," in name:
        family, _, rest = name.partition(",")
        given_parts = [part.strip() for part in rest.split(",") if part.strip()]
        return Creator(family=family.strip(), given=_given(given_parts), role=role)
    words = name.split()
    return Creator(family=words[-1], given=_given([" ".join(words[:-1])]), role=role)


def _given(parts: list[str]) -> str:
    """The given names with a suffix after them, as refman keeps one (``Frank R Jr``)."""
    words = " ".join(parts).split()
    return " ".join(word.rstrip(".") if _SUFFIX.match(word) else word for word in words)


# --- dates -------------------------------------------------------------------------------------

_YEAR = re.compile(r"\b([0-9]{4})\b")
_ISO = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})(?:[-/.]([0-9]{1,2}))?")
_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_DAY_MONTH = re.compile(r"([0-9]{1,2})\s+([A-Za-z]+\.?)")


def date(year: str, pub_date: str) -> PartialDate:
    """The date of ``<dates>``: its ``<year>`` and its first ``<pub-dates><date>`` (``Jan 15``,
    ``15 January``, ``2011-12-01``, ``12/01/2011``, ``Winter``, ``Sep-Oct``), as precise as
    they are together."""
    year, pub_date = year.strip(), pub_date.strip()
    if not pub_date or pub_date == year:
        return parse_date(year) if year else PartialDate()
    numeric = _numeric(pub_date)
    if numeric is not None:
        number_year, month, day = numeric
        return PartialDate(int(number_year), month, day, pub_date)
    day_first = _DAY_MONTH.fullmatch(pub_date)
    if day_first:  # "15 January": as "January 15", which the MEDLINE reading knows
        pub_date = f"{day_first[2]} {day_first[1]}"
    if _YEAR.search(pub_date) or not year:
        return parse_date(pub_date)
    return parse_date(f"{year} {pub_date}")


def _numeric(pub_date: str) -> tuple[str, int, int | None] | None:
    """(year, month, day) of ``2011-12-01`` or ``12/01/2011`` (month first, as EndNote writes);
    None for another form or an impossible month."""
    match = _ISO.fullmatch(pub_date)
    if match:
        year, month, day = match[1], int(match[2]), int(match[3]) if match[3] else None
    else:
        match = _US.fullmatch(pub_date)
        if not match:
            return None
        year, month, day = match[3], int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    return year, month, day if day and 1 <= day <= 31 else None


# --- identifiers -------------------------------------------------------------------------------

_ISSN = re.compile(r"\b([0-9]{4}-?[0-9]{3}[0-9Xx])\b(?:\s*\(([^)]*)\))?")
_ISSN_KINDS = {"print": "Print", "electronic": "Electronic", "linking": "Linking"}
_ISBN = re.compile(r"(?:97[89][- ]?)?(?:[0-9][- ]?){9}[0-9Xx]")
_DOI = re.compile(r"10\.[0-9]{3,9}/\S+")
_LABEL = re.compile(r"\s*\[([^\]]*)\]\s*$")
_PMCID = re.compile(r"PMC[0-9]+")
_PUBMED_DATABASE = re.compile(r"pubmed|medline|\bnlm\b", re.I)


def issns(values: list[str]) -> tuple[Issn, ...]:
    """The ISSNs in an ``<isbn>`` field's lines (``0028-0836 (Print)``), each once, with its
    first label."""
    found: dict[str, str] = {}
    for value in values:
        for match in _ISSN.finditer(value):
            issn = match[1].upper()
            if len(issn) == 8:
                issn = f"{issn[:4]}-{issn[4:]}"
            kind = (match[2] or "").strip()
            found.setdefault(issn, _ISSN_KINDS.get(kind.lower(), kind))
    return tuple(Issn(value, kind) for value, kind in found.items())


def isbn(values: list[str]) -> str:
    """The ``<isbn>`` field as refman keeps an ISBN (its lines joined with "; ") when it holds
    one; "" when it holds none (an ISSN, a report or patent number)."""
    if not any(_ISBN.search(value) and not _ISSN.fullmatch(value) for value in values):
        return ""
    return "; ".join(values)


def doi(values: list[str]) -> str:
    """The DOI in an ``<electronic-resource-num>`` field's lines (``10.1/x``, ``doi:10.1/x``,
    a doi.org address, ``10.1/x [doi]`` beside ``S0140-... [pii]``), or ""."""
    for value in values:
        label = _LABEL.search(value)
        if label and label[1].strip().lower() != "doi":
            continue
        found = _DOI.search(value[: label.start()] if label else value)
        if found:
            return found[0].rstrip(".,;")
    return ""


def pmid(accession: str, databases: list[str]) -> str:
    """The PMID that ``<accession-num>`` holds when the record came from PubMed (its
    ``remote-database-name`` or ``-provider`` says so); "" otherwise: an accession number of
    Web of Science or Scopus is not a PMID."""
    accession = accession.strip()
    if accession.isdigit() and any(_PUBMED_DATABASE.search(name) for name in databases):
        return accession
    return ""


def pmcid(values: list[str]) -> str:
    """The PMCID among custom fields (EndNote's PubMed import puts it in Custom 2), or ""."""
    for value in values:
        found = _PMCID.fullmatch(value.strip())
        if found:
            return found[0]
    return ""

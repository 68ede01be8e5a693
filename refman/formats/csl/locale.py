"""CSL locales: terms, localized date formats and style options, with the CSL fallback order.

A style's locale is looked up, for a language tag such as ``en-GB``, in this order (CSL 1.0.2):
``cs:locale`` elements of the style for the exact tag, for the language (``en``) and without a
language; then the locale files of citeproc-py for the exact tag, for the language's primary
dialect, and ``en-US`` last. A term missing in a short form falls back to the longer form
(``verb-short`` → ``verb`` → long, ``symbol`` → ``short`` → long).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from citeproc import LOCALES_PATH
from lxml import etree

NS = "http://purl.org/net/xbiblio/csl"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_FORM_FALLBACK = {
    "verb-short": ("verb-short", "verb", "long"),
    "symbol": ("symbol", "short", "long"),
    "short": ("short", "long"),
    "verb": ("verb", "long"),
    "long": ("long",),
}


def q(tag: str) -> str:
    """The qualified name of a CSL element."""
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class Term:
    single: str
    multiple: str
    match: str = ""
    gender: str = ""


@cache
def _locale_file(tag: str) -> etree._Element | None:
    path = Path(LOCALES_PATH) / f"locales-{tag}.xml"
    if not path.exists():
        return None
    return etree.parse(str(path), etree.XMLParser(remove_comments=True)).getroot()


@cache
def _primary_dialects() -> dict[str, str]:
    with open(Path(LOCALES_PATH) / "locales.json", encoding="utf-8") as f:
        dialects: dict[str, str] = json.load(f)["primary-dialects"]
    return dialects


def _style_locales(style_root: etree._Element, lang: str) -> list[etree._Element]:
    in_style = {el.get(_XML_LANG): el for el in style_root.iterchildren(q("locale"))}
    language = lang.split("-")[0]
    return [in_style[key] for key in (lang, language, None) if key in in_style]


def _file_locales(lang: str) -> list[etree._Element]:
    language = lang.split("-")[0]
    tags = [lang, _primary_dialects().get(language, ""), "en-US"]
    found = [_locale_file(tag) for tag in dict.fromkeys(t for t in tags if t)]
    return [el for el in found if el is not None]


class Locale:
    """The merged terms, dates and options of a style's locale chain."""

    def __init__(self, style_root: etree._Element, lang: str) -> None:
        self.lang = lang
        self.chain = _style_locales(style_root, lang) + _file_locales(lang)
        self.terms = self._collect_terms()
        self.dates = self._collect_dates()
        self.options = self._collect_options()

    def _collect_terms(self) -> dict[tuple[str, str], list[Term]]:
        terms: dict[tuple[str, str], list[Term]] = {}
        for locale in reversed(self.chain):  # earlier locales override later ones
            found: dict[tuple[str, str], list[Term]] = {}
            for el in locale.iterfind(f"{q('terms')}/{q('term')}"):
                key = (el.get("name"), el.get("form", "long"))
                found.setdefault(key, []).append(_term_of(el))
            terms.update(found)
        return terms

    def _collect_dates(self) -> dict[str, etree._Element]:
        dates: dict[str, etree._Element] = {}
        for locale in self.chain:
            for el in locale.iterchildren(q("date")):
                dates.setdefault(el.get("form"), el)
        return dates

    def _collect_options(self) -> dict[str, str]:
        options: dict[str, str] = {}
        for locale in self.chain:
            for el in locale.iterchildren(q("style-options")):
                for key, value in el.attrib.items():
                    options.setdefault(key, value)
        return options

    def option(self, name: str) -> bool:
        return self.options.get(name, "false") == "true"

    def term(self, name: str, form: str = "long", plural: bool = False) -> str | None:
        """A term's text, or None when no locale defines it."""
        for each_form in _FORM_FALLBACK.get(form, (form, "long")):
            found = self.terms.get((name, each_form))
            if found:
                return found[0].multiple if plural else found[0].single
        return None

    def term_variants(self, name: str) -> list[Term]:
        return self.terms.get((name, "long"), [])

    def date_format(self, form: str) -> etree._Element | None:
        return self.dates.get(form)


def _term_of(el: etree._Element) -> Term:
    single = el.find(q("single"))
    multiple = el.find(q("multiple"))
    text = el.text or ""
    return Term(
        single=(single.text or "") if single is not None else text,
        multiple=(multiple.text or "") if multiple is not None else text,
        match=el.get("match", ""),
        gender=el.get("gender-form", ""),
    )


def ordinal_suffix(locale: Locale, number: int) -> str:
    """The ordinal suffix of a number ("st", "nd", "th"...), by CSL 1.0.1 matching rules."""
    last_two, last = number % 100, number % 10
    for term_number, matches in ((last_two, _two_digit_match), (last, _one_digit_match)):
        found = locale.terms.get((f"ordinal-{term_number:02d}", "long"), [])
        for term in found:
            if matches(term.match, number, term_number):
                return term.single
    fallback = locale.term("ordinal")
    return fallback if fallback is not None else ""


def _two_digit_match(match: str, number: int, term_number: int) -> bool:
    if term_number < 10:
        return False
    if match == "whole-number":
        return number == term_number
    return True  # last-two-digits is the default for ordinal-10 to ordinal-99


def _one_digit_match(match: str, number: int, term_number: int) -> bool:
    if match == "whole-number":
        return number == term_number
    if match == "last-two-digits":
        return number % 100 == term_number
    return True  # last-digit is the default for ordinal-00 to ordinal-09

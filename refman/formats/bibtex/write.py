"""BibTeX and BibLaTeX writers, and the citation keys they share.

Both writers take a sequence of references and write one entry per reference, in input order.
An item imported from a .bib file is given back as it came (its key, its fields, the ones
refman has no place for too), only the fields behind edited values replaced (see source); the
BibTeX writer does so for entries that use no BibLaTeX field, the BibLaTeX writer for all.

Choices, following what Zotero's Better BibTeX does where there is a convention to follow:

- Citation keys: an item of the library is written with its stored key (refman.citekeys), the
  same in every export. A reference that is not stored keeps its entry's own key, or gets
  ``family + year + first significant title word`` (``knowles2023safety``), folded to lowercase
  ASCII; on a collision within one export the first keeps the plain key and the next ones get
  ``a``, ``b``, ... in input order.
- BibTeX output is pure ASCII where LaTeX has a form for a character (``é`` → ``{\\'e}``,
  ``ß`` → ``{\\ss}``, ``α`` → ``{$\\alpha$}``); a character with no LaTeX form stays UTF-8
  rather than being dropped. BibLaTeX output keeps all non-ASCII text as UTF-8 (biber reads it).
- Titles are not wrapped in double braces (that freezes the case of every word and is bad
  practice). Only words a style must not lower-case are braced: words with a capital after the
  first letter (``{iPS}``, ``{COVID-19}``, ``{mRNA}``) and a lone capital letter after the
  first word (vitamin ``{D}``).
- PMID: BibTeX ``pmid = {...}``; BibLaTeX ``eprint = {...}`` with ``eprinttype = {pubmed}``,
  which biblatex turns into a PubMed link (Better BibTeX does the same and drops ``pmid``).
- Dates: BibTeX ``year`` and a bare month macro (``month = dec``); BibLaTeX ``date`` in ISO
  form (``2023-12-01``, ``2023-12`` or ``2023``).
- ``url`` and ``doi`` are verbatim fields for both BibTeX (url/doi packages) and biblatex, so they
  are written as is; only braces are percent-encoded so that the file stays parseable.
- A chapter is ``@incollection``; for BibLaTeX a chapter without editors is ``@inbook`` (a part
  of a book by the same authors). A thesis is ``@phdthesis`` / ``@thesis`` with
  ``type = {phdthesis}``: the model does not say which degree, and this is the common case.
- A journal article's ``place`` is not written: MEDLINE fills it with the journal's country,
  not a place of publication.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count, product
from string import ascii_lowercase
from typing import TextIO

from refman.citekeys import ascii_fold, title_words
from refman.formats.bibtex.mapping import BIBTEX, KEY_TAG, SOURCE_FORMATS
from refman.formats.bibtex.source import given_back
from refman.formats.text import one_line
from refman.model import ARTICLE_JOURNAL, BOOK, CHAPTER, Creator, PartialDate, Reference

# --- citation keys ----------------------------------------------------------------------------


def _key_name(ref: Reference) -> str:
    creators = ref.authors() or ref.editors()
    if not creators:
        return "anon"
    first = creators[0]
    return ascii_fold(first.literal or first.family or first.given).lower() or "anon"


def _key_title_word(title: str) -> str:
    """The first significant title word, folded as stored keys fold it (refman.citekeys)."""
    words = title_words(title, 1)
    return words[0].lower() if words else ""


def _base_key(ref: Reference) -> str:
    year = str(ref.date.year) if ref.date.year else ""
    return _key_name(ref) + year + _key_title_word(ref.title)


def _suffixes() -> Iterator[str]:
    """``a`` ... ``z``, ``aa`` ... ``zz``, ``aaa`` ...: as many as a collision needs."""
    for length in count(1):
        for letters in product(ascii_lowercase, repeat=length):
            yield "".join(letters)


def _source_key(ref: Reference) -> str:
    """The key of an imported entry (its source record's ID), or ""."""
    if ref.source_format not in SOURCE_FORMATS or not ref.source_record:
        return ""
    key = next((value for tag, value in ref.source_record[:2] if tag == KEY_TAG), "")
    return key if _USABLE_KEY.fullmatch(key) else ""


_USABLE_KEY = re.compile(r"[^\s,{}()=\"#%'~\\]+")


def _stored_key(ref: Reference) -> str:
    """The library's key of a reference loaded from it ("" for one read from a file)."""
    return ref.citation_key if ref.id is not None else ""


def _own_key(ref: Reference) -> str:
    """The key a reference read from a file brought, if BibTeX can take it."""
    own = ref.citation_key or _source_key(ref)
    return own if _USABLE_KEY.fullmatch(own) else ""


def citation_keys(refs: Sequence[Reference]) -> list[str]:
    """One unique key per reference, in order; the same input always gives the same keys.

    A reference from the library has its stored key (refman.citekeys: unique and pinned, so
    every export gives the same item the same key). Any other reference (one read from a file
    and written again without being stored) keeps its entry's own key, unless an earlier
    reference took it, or gets one made here, which never takes a stored one."""
    fixed = [_stored_key(ref) for ref in refs]
    stored = {key.casefold() for key in fixed if key}
    bases = [key or _own_key(ref) or _base_key(ref) for ref, key in zip(refs, fixed, strict=True)]
    reserved = set(bases) | stored  # a suffixed key must not take another item's plain key
    taken: set[str] = set()
    # Each base resumes its suffixes where it stopped, so many collisions stay linear.
    suffixes: dict[str, Iterator[str]] = {}
    keys = []
    for fixed_key, base in zip(fixed, bases, strict=True):
        key = base
        if not fixed_key and (key in taken or key.casefold() in stored):
            candidates = suffixes.setdefault(base, (base + s for s in _suffixes()))
            key = next(k for k in candidates if k not in taken and k not in reserved)
        taken.add(key)
        keys.append(key)
    return keys


# --- LaTeX escaping ---------------------------------------------------------------------------

# ASCII characters that mean something to LaTeX or BibTeX.
_LATEX_SPECIALS = {
    "\\": r"{\textbackslash}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
}

# BibTeX counts braces without regard to backslashes, so ``\{`` only works when the braces of
# a value balance; otherwise these text commands keep the file parseable.
_UNBALANCED_BRACES = {"{": r"{\textbraceleft}", "}": r"{\textbraceright}"}

# Non-ASCII characters with a LaTeX form that is not "ASCII letter + accent".
_LATEX_LETTERS = {
    "ß": r"{\ss}",
    "ø": r"{\o}",
    "Ø": r"{\O}",
    "æ": r"{\ae}",
    "Æ": r"{\AE}",
    "œ": r"{\oe}",
    "Œ": r"{\OE}",
    "å": r"{\aa}",
    "Å": r"{\AA}",
    "ł": r"{\l}",
    "Ł": r"{\L}",
    "ı": r"{\i}",
    "\u00a0": "~",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": r"{\ldots}",
    "°": r"{\textdegree}",
    "©": r"{\textcopyright}",
    "®": r"{\textregistered}",
    "™": r"{\texttrademark}",
    "§": r"{\S}",
    "¶": r"{\P}",
    "£": r"{\pounds}",
    "€": r"{\texteuro}",
    "¿": r"{?`}",
    "¡": r"{!`}",
    "«": r"{\guillemotleft}",
    "»": r"{\guillemotright}",
    "±": r"{$\pm$}",
    "×": r"{$\times$}",
    "÷": r"{$\div$}",
    "≤": r"{$\leq$}",
    "≥": r"{$\geq$}",
    "≠": r"{$\neq$}",
    "≈": r"{$\approx$}",
    "→": r"{$\rightarrow$}",
    "∞": r"{$\infty$}",
    "µ": r"{$\mu$}",  # the micro sign, as in µg
}

# Greek letters are math in LaTeX; the names are LaTeX's (Unicode spells lambda "lamda").
_GREEK = (
    (
        "αβγδεζηθικλμνξπρσςτυφχψω",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"
        " mu nu xi pi rho sigma varsigma tau upsilon phi chi psi omega",
    ),
    ("ΓΔΘΛΞΠΣΥΦΨΩ", "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"),
)
for _letters, _words in _GREEK:  # not _names: the module's function of that name comes later
    _LATEX_LETTERS.update(
        {letter: f"{{$\\{name}$}}" for letter, name in zip(_letters, _words.split(), strict=True)}
    )

# Combining marks and the LaTeX accent command that puts each on a letter.
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}


def _accented(char: str) -> str | None:
    """``é`` → ``{\\'e}``, ``ç`` → ``{\\c c}``, ``ế`` → ``{\\'{\\^e}}``; None if no form."""
    base, *marks = list(unicodedata.normalize("NFD", char))
    if not base.isascii() or not marks or any(m not in _ACCENTS for m in marks):
        return None
    inner = base
    for mark in marks:
        command = _ACCENTS[mark]
        if len(inner) > 1:
            inner = f"\\{command}{{{inner}}}"
        else:  # a letter command needs a space before its argument, a symbol does not
            inner = f"\\{command}{' ' if command.isalpha() else ''}{inner}"
    return "{" + inner + "}"


class _LatexTable(dict[int, str]):
    """A ``str.translate`` table that works out and caches each character on first sight."""

    def __init__(self, encode_non_ascii: bool, braces: dict[str, str]):
        super().__init__()
        self._encode_non_ascii = encode_non_ascii
        self._specials = _LATEX_SPECIALS | braces

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if char in self._specials:
            latex = self._specials[char]
        elif char.isascii() or not self._encode_non_ascii:
            latex = char
        else:
            latex = _LATEX_LETTERS.get(char) or _accented(char) or char
        self[codepoint] = latex
        return latex


@dataclass(frozen=True)
class _Escaper:
    """Turns plain text into field text: BibTeX encodes non-ASCII, BibLaTeX keeps it."""

    balanced: _LatexTable
    unbalanced: _LatexTable

    @classmethod
    def create(cls, encode_non_ascii: bool) -> _Escaper:
        return cls(
            _LatexTable(encode_non_ascii, {}), _LatexTable(encode_non_ascii, _UNBALANCED_BRACES)
        )

    def table(self, text: str) -> _LatexTable:
        return self.balanced if _braces_balance(text) else self.unbalanced

    def __call__(self, text: str) -> str:
        if not text:
            return text
        table = self.balanced if _braces_balance(text) else self.unbalanced
        return text.translate(table) if len(text) <= _LONG else self.apply(text, table)

    def line(self, text: str) -> str:
        """``text`` on one line (see one_line), as field text."""
        if text.isascii() and text.isalnum():  # a volume, an issue, a PMID: nothing to do
            return text
        return self(one_line(text)) if text else text

    @staticmethod
    def apply(text: str, table: _LatexTable) -> str:
        """``text`` escaped with ``table`` (chosen for the whole value ``text`` is part of)."""
        if len(text) > _LONG and text.isascii() and not any(c in text for c in "{}\\"):
            # Once str.translate meets a character that becomes several, it looks every
            # following character up in the table: most of the time of escaping abstracts.
            # Replacing the few specials present gives the same text (none of these
            # replacements holds another one's character) several times faster.
            for char, latex in _SIMPLE_SPECIALS:
                if char in text:
                    text = text.replace(char, latex)
            return text
        return text.translate(table)


def _braces_balance(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


# Length from which escaping replaces specials one by one (see _Escaper.apply); below it a
# lookup of each character costs less than a search for each special.
_LONG = 200
_SIMPLE_SPECIALS = tuple(
    (char, latex) for char, latex in _LATEX_SPECIALS.items() if char not in "{}\\"
)

_BIBTEX_TEXT = _Escaper.create(encode_non_ascii=True)
_BIBLATEX_TEXT = _Escaper.create(encode_non_ascii=False)


_COMPOUND_PARTS = re.compile(r"[-‐‑–—/]")
_WORD_EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)


def _needs_case_protection(word: str, first: bool) -> bool:
    """Whether a style that lower-cases titles would spoil this word.

    Each part of a compound is looked at alone, so that Title-Case ``Muscle-Derived`` stays
    free while ``iPS-derived`` and ``T-cell`` are protected.
    """
    rest = word[1:]
    if rest.lower() == rest and (not word[:1].isupper() or rest[:1].isalpha()):
        return False  # the common case, decided without splitting: "cells", "Safety"
    for index, part in enumerate(_COMPOUND_PARTS.split(word)):
        letters = list(filter(str.isalpha, part))
        if any(map(str.isupper, letters[1:])):
            return True  # iPS, mRNA, COVID-19, McArdle
        if len(letters) == 1 and letters[0].isupper() and not (first and index == 0):
            return True  # vitamin D, T-cell
    return False


# Words that may need protection (see _needs_case_protection) in an ASCII title: those with
# a capital after another character or a capital not followed by a letter. Most words of a
# title are not, and the text between two candidates is escaped at once.
_ASCII_CANDIDATE = re.compile(r"(?<![^ ])[^ ]*?(?:[^ ][A-Z]|[A-Z](?![a-zA-Z]))[^ ]*")
_ANY_WORD = re.compile(r"[^ ]+")


def _title(text: str, escape: _Escaper) -> str:
    title = one_line(text)
    table = escape.table(title)
    escaped = escape.apply(title, table)
    words = _ASCII_CANDIDATE if title.isascii() else _ANY_WORD
    protected = [w for w in words.finditer(title) if _needs_case_protection(w[0], w.start() == 0)]
    if not protected:
        return escaped
    # Escaping goes character by character, so the pieces around the braces can be escaped
    # apart; in a title with nothing to escape (most of them) they stay as they are.
    plain = escaped == title
    out = []
    done = 0  # end of the title already written
    for word in protected:
        # Brace the word without the punctuation around it: "(HIV)," → "({HIV}),".
        edges = _WORD_EDGES.fullmatch(word[0])
        assert edges is not None  # the pattern matches any text
        lead, core, tail = edges.groups()
        before = title[done : word.start()]
        if not plain:
            before, lead, core, tail = (escape.apply(p, table) for p in (before, lead, core, tail))
        out.append(f"{before}{lead}{{{core}}}{tail}")
        done = word.end()
    rest = title[done:]
    out.append(rest if plain else escape.apply(rest, table))
    return "".join(out)


# --- names ------------------------------------------------------------------------------------


_AND = re.compile(r"\band\b", re.IGNORECASE)
# Some name splitters (bibtexparser's among them) lose track of " and " right after ``\&``;
# inside braces the escape is one token for every reader.
_BARE_ESCAPE = re.compile(r"\\([&%$#_])")


# "Family, Given" that is its own field text: ASCII words with single spaces, nothing to
# escape or to brace (no comma inside a part, no word "and"). Most names are; checking costs
# less than cleaning, escaping and looking at each part.
_PLAIN_NAME = re.compile(
    r"(?:[A-Za-z0-9.'-]+ )*[A-Za-z0-9.'-]+, (?:[A-Za-z0-9.'-]+ )*[A-Za-z0-9.'-]+"
)


def _name_part(text: str, escape: _Escaper) -> str:
    latex = escape.line(text)
    return _BARE_ESCAPE.sub(r"{\\\1}", latex) if "\\" in latex else latex


# Name suffixes, which BibTeX writes as a name's Jr part: "Hellinger, Jr, Frank R".
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "V", "2nd", "3rd"})


def _jr_part(given: str) -> tuple[str, str]:
    """(given names, suffix): ``Frank R Jr`` → (``Frank R``, ``Jr``), as MEDLINE keeps it."""
    words = given.split()
    if len(words) >= 2 and words[-1] in _SUFFIXES:
        return " ".join(words[:-1]).rstrip(","), words[-1]
    return given, ""


def _name(creator: Creator, escape: _Escaper) -> str:
    if creator.literal and (literal := one_line(creator.literal)):
        return "{" + escape(literal) + "}"
    given, jr = _jr_part(creator.given)
    if jr and creator.family:
        plain = _name(Creator(creator.family, given), escape)
        family, _, first = plain.partition(", ")
        return f"{family}, {_name_part(jr, escape)}, {first}"
    if creator.family and creator.given:
        name = f"{creator.family}, {creator.given}"
        if _PLAIN_NAME.fullmatch(name) and not _AND.search(name):
            return name
    family = _name_part(creator.family, escape)
    given = _name_part(creator.given, escape)
    if not family:  # a single name typed into the given-name field
        family, given = given, ""
    # BibTeX splits names at " and ", commas and (with no given name) spaces: brace such parts.
    if "," in family or _AND.search(family) or (not given and " " in family):
        family = "{" + family + "}"
    if not given:
        return family
    if "," in given or _AND.search(given):
        given = "{" + given + "}"
    return f"{family}, {given}"


def _names(creators: Sequence[Creator], escape: _Escaper) -> str:
    return " and ".join([name for creator in creators if (name := _name(creator, escape))])


# --- field values -----------------------------------------------------------------------------

_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# MEDLINE (ISO 639-2) and two-letter codes → the language names babel and biblatex know.
_LANGIDS = {
    code: name
    for codes, name in (
        (("eng", "en"), "english"),
        (("fre", "fra", "fr"), "french"),
        (("ger", "deu", "de"), "german"),
        (("spa", "es"), "spanish"),
        (("ita", "it"), "italian"),
        (("por", "pt"), "portuguese"),
        (("dut", "nld", "nl"), "dutch"),
        (("rus", "ru"), "russian"),
        (("pol", "pl"), "polish"),
        (("swe", "sv"), "swedish"),
        (("nor", "no", "nb"), "norsk"),
        (("dan", "da"), "danish"),
        (("fin", "fi"), "finnish"),
        (("cze", "ces", "cs"), "czech"),
        (("hun", "hu"), "hungarian"),
        (("gre", "ell", "el"), "greek"),
        (("tur", "tr"), "turkish"),
    )
    for code in codes
}


_DASHES = re.compile(r"\s*[-‐‑‒–—]+\s*")


def _pages(pages: str) -> str:
    """``937-944`` → ``937--944``: a range takes an en dash in LaTeX."""
    return _DASHES.sub("--", one_line(pages)) if pages else pages


def _verbatim(text: str) -> str:
    """url and doi are read verbatim: nothing may be escaped, but braces must not break out."""
    return one_line(text).replace("{", "%7B").replace("}", "%7D") if text else text


def _iso_date(date: PartialDate) -> str:
    if not date.year:
        return ""
    parts = [f"{date.year:04d}"]
    if date.month:
        parts.append(f"{date.month:02d}")
        if date.day:
            parts.append(f"{date.day:02d}")
    return "-".join(parts)


def _issns(ref: Reference) -> str:
    return ", ".join(dict.fromkeys(issn.value for issn in ref.issns if issn.value))


def _keywords(ref: Reference, escape: _Escaper) -> str:
    """Tags, comma separated; a tag holding a comma (MeSH's ``Neoplasms, Experimental``) in
    braces, which the reader (and biber) keep together."""
    names = filter(None, dict.fromkeys([one_line(tag.name) for tag in ref.tags]))
    return ", ".join("{" + escape(n) + "}" if "," in n else escape(n) for n in names)


# --- entries ----------------------------------------------------------------------------------

# A field is (name, LaTeX text); bare values (month macros) are marked by _Bare.
_Field = tuple[str, str]


class _Bare(str):
    """A value written without braces: a BibTeX string macro such as ``dec``."""


_BIBTEX_TYPES = {
    ARTICLE_JOURNAL: "article",
    BOOK: "book",
    CHAPTER: "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "dataset": "misc",
    "webpage": "misc",
    "article": "misc",
    "document": "misc",
}

_BIBLATEX_TYPES = {
    ARTICLE_JOURNAL: "article",
    BOOK: "book",
    CHAPTER: "incollection",
    "paper-conference": "inproceedings",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "webpage": "online",
    "article": "online",
    "document": "misc",
}

# Where the container title (journal, book, website, preprint server) goes, per entry type.
_BIBTEX_CONTAINER = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "misc": "howpublished",
}
_BIBLATEX_CONTAINER = {
    "article": "journaltitle",
    "incollection": "booktitle",
    "inbook": "booktitle",
    "inproceedings": "booktitle",
    "online": "organization",
    "dataset": "organization",
    "misc": "howpublished",
}

# Who published it: a university for a thesis, an institution for a report.
_BIBTEX_PUBLISHER = {"phdthesis": "school", "techreport": "institution"}
_BIBLATEX_PUBLISHER = {"thesis": "institution", "report": "institution"}

# biblatex makes the type field of these entry types mandatory.
_BIBLATEX_SUBTYPE = {"thesis": "phdthesis", "report": "techreport"}


def _container(ref: Reference) -> str:
    return ref.container_title or ref.container_title_short


def _bibtex_fields(ref: Reference, entry_type: str) -> list[_Field]:
    esc = _BIBTEX_TEXT
    fields = _head_fields(ref, esc, _BIBTEX_CONTAINER.get(entry_type))
    if ref.date.year:
        fields.append(("year", str(ref.date.year)))
    if ref.date.month and 1 <= ref.date.month <= 12:
        fields.append(("month", _Bare(_MONTH_MACROS[ref.date.month - 1])))
    fields += [
        ("series", esc.line(ref.collection_title)),
        ("volume", esc.line(ref.volume)),
        ("number", esc.line(ref.issue)),
        ("pages", esc(_pages(ref.pages))),
    ]
    fields += _publisher_fields(ref, esc, _BIBTEX_PUBLISHER.get(entry_type, "publisher"), "address")
    fields += _id_fields(ref, esc)
    fields += [("pmid", esc.line(ref.pmid)), ("pmcid", esc.line(ref.pmcid))]
    fields += _tail_fields(ref, esc)
    return fields


def _biblatex_fields(ref: Reference, entry_type: str) -> list[_Field]:
    esc = _BIBLATEX_TEXT
    fields = [("type", _BIBLATEX_SUBTYPE.get(entry_type, ""))]
    fields += _head_fields(ref, esc, _BIBLATEX_CONTAINER.get(entry_type))
    if entry_type == "article" and ref.container_title and ref.container_title_short:
        fields.append(("shortjournal", esc.line(ref.container_title_short)))
    fields.append(("date", _iso_date(ref.date)))
    issue = one_line(ref.issue)
    # biblatex: number is the issue number; issue is for "Spring", "Suppl 1" and the like.
    issue_field = "number" if re.fullmatch(r"\d+(?:\s*[-–/]\s*\d+)?", issue) else "issue"
    fields += [
        ("series", esc.line(ref.collection_title)),
        ("volume", esc.line(ref.volume)),
        (issue_field, esc(issue)),
        ("pages", esc(_pages(ref.pages))),
    ]
    fields += _publisher_fields(
        ref, esc, _BIBLATEX_PUBLISHER.get(entry_type, "publisher"), "location"
    )
    fields += _id_fields(ref, esc)
    if ref.pmid:
        fields += [("eprint", esc.line(ref.pmid)), ("eprinttype", "pubmed")]
    fields.append(("pmcid", esc.line(ref.pmcid)))
    fields += _tail_fields(ref, esc)
    return fields


def _head_fields(ref: Reference, esc: _Escaper, container_field: str | None) -> list[_Field]:
    fields = [
        ("title", _title(ref.title, esc)),
        ("author", _names(ref.authors(), esc)),
        ("editor", _names(ref.editors(), esc)),
    ]
    if container_field:
        fields.append((container_field, esc.line(_container(ref))))
    return fields


def _publisher_fields(
    ref: Reference, esc: _Escaper, publisher_field: str, place_field: str
) -> list[_Field]:
    fields = [(publisher_field, esc.line(ref.publisher))]
    if ref.item_type != ARTICLE_JOURNAL:  # MEDLINE's place of a journal is its country
        fields.append((place_field, esc.line(ref.place)))
    return fields


def _id_fields(ref: Reference, esc: _Escaper) -> list[_Field]:
    return [
        ("isbn", esc.line(ref.isbn)),
        ("issn", esc(_issns(ref))),
        ("doi", _verbatim(ref.doi)),
    ]


def _tail_fields(ref: Reference, esc: _Escaper) -> list[_Field]:
    return [
        ("url", _verbatim(ref.url)),
        ("langid", _LANGIDS.get(ref.language.strip().lower(), "")),
        ("abstract", esc.line(ref.abstract)),
        ("keywords", _keywords(ref, esc)),
    ]


def _format_entry(entry_type: str, key: str, fields: list[_Field]) -> str:
    lines = [
        f"  {name} = {value}" if isinstance(value, _Bare) else f"  {name} = {{{value}}}"
        for name, value in fields
        if value
    ]
    body = ",\n".join(lines) + "\n" if lines else ""
    return f"@{entry_type}{{{key},\n{body}}}\n"


def _bibtex_type(ref: Reference) -> str:
    return _BIBTEX_TYPES.get(ref.item_type, "misc")


def _biblatex_type(ref: Reference) -> str:
    entry_type = _BIBLATEX_TYPES.get(ref.item_type, "misc")
    if entry_type == "incollection" and not ref.editors():
        entry_type = "inbook"  # a part of a book written by the same authors
    return entry_type


def _given_back(ref: Reference, key: str, dialect: _Dialect) -> str:
    """The entry an imported reference came from, with the fields behind edits replaced."""
    entry_type, fields = given_back(ref, dialect)
    return _format_entry(entry_type, key, [_source_field(n, v) for n, v in fields])


def _source_field(name: str, value: str) -> _Field:
    return (name, _Bare(value)) if name == "month" and value in _MONTH_MACROS else (name, value)


def _bibtex_entry(ref: Reference, key: str) -> str:
    if ref.source_format == BIBTEX and ref.source_record:
        return _given_back(ref, key, _BIBTEX_DIALECT)
    entry_type = _bibtex_type(ref)
    return _format_entry(entry_type, key, _bibtex_fields(ref, entry_type))


def _biblatex_entry(ref: Reference, key: str) -> str:
    if ref.source_format in SOURCE_FORMATS and ref.source_record:
        return _given_back(ref, key, _BIBLATEX_DIALECT)
    entry_type = _biblatex_type(ref)
    return _format_entry(entry_type, key, _biblatex_fields(ref, entry_type))


@dataclass(frozen=True)
class _Dialect:
    """What the source record module needs of a writer: its entry type for a reference and
    the fields it writes for one (as name, text pairs; bare month macros as text)."""

    entry_type: Callable[[Reference], str]
    fields: Callable[[Reference, str], list[_Field]]


_BIBTEX_DIALECT = _Dialect(_bibtex_type, _bibtex_fields)
_BIBLATEX_DIALECT = _Dialect(_biblatex_type, _biblatex_fields)


def _write(refs: Sequence[Reference], out: TextIO, entry: Callable[[Reference, str], str]) -> None:
    for index, (ref, key) in enumerate(zip(refs, citation_keys(refs), strict=True)):
        if index:
            out.write("\n")
        out.write(entry(ref, key))


def write_bibtex(refs: Sequence[Reference], out: TextIO) -> None:
    """Write ``refs`` as BibTeX: ASCII with LaTeX escapes, for bibtex and natbib styles."""
    _write(refs, out, _bibtex_entry)


def write_biblatex(refs: Sequence[Reference], out: TextIO) -> None:
    """Write ``refs`` as BibLaTeX (biber): UTF-8 text, ``date``, ``journaltitle``, eprint PMID."""
    _write(refs, out, _biblatex_entry)

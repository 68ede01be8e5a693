"""Citation keys: the pattern language that makes them, and what a key may hold.

An item's key is made once, when the item is created, from the library's key pattern, and then
stored and pinned (store/citekeys.py): it never changes when other items arrive or when the item
is edited, so that a document citing it keeps working. This module is plain Python (no store,
no Qt) so that the store, the library and the window share one definition.

The pattern is text with parts in brackets, after Better BibTeX's and JabRef's:

    [auth:lower][year][veryshorttitle:lower]      knowles2023safety   (the default)
    pmid[pmid]|[auth:lower][year][veryshorttitle:lower]   pmid37144409, or the above without one

Each part gives ASCII letters and digits only (``Ødegaard`` -> ``Odegaard``), its case kept
unless a modifier changes it (``:lower``, ``:upper``). Text outside brackets is copied (letters,
digits and ``-_:.`` only). ``|`` separates alternatives: the first whose parts all give
something is used, else the last. Two items with the same key get ``a``, ``b``, ... ``z``,
``aa``, ... right after the year (at the end when the pattern has no ``[year]``), as Better
BibTeX does: ``knowles2023asafety``. Keys are unique ignoring case, as BibTeX compares them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count, product
from string import ascii_lowercase

from refman.model import Reference, RefmanError

DEFAULT_PATTERN = "[auth:lower][year][veryshorttitle:lower]"
PMID_PATTERN = "pmid[pmid]|" + DEFAULT_PATTERN
# The patterns Preferences offers by name; any other valid pattern can be typed.
OFFERED_PATTERNS = {
    "Author, year, title word (knowles2023safety)": DEFAULT_PATTERN,
    "PMID (pmid37144409), else author, year, title word": PMID_PATTERN,
}
MAX_KEY_LENGTH = 100
# The key of an item that holds nothing its pattern uses (a New Item, still empty); such a key
# is made again from the item's fields at its first edit (library.items), the one exception
# to keys never changing by themselves: nothing can cite "refa" meaningfully yet.
EMPTY_KEY = "ref"

# --- what a key may hold ----------------------------------------------------------------------

# Characters that break a key in BibTeX (delimiters, comment and macro signs), in Pandoc's
# [@key; @key] citations (@ ; [ ]) or in LaTeX's \cite{a,b}: never in a key.
_BAD_KEY_CHARS = re.compile(r"[\s,{}()\[\]=\"#%'~\\@;]|[\x00-\x1f\x7f]")


class CitationKeyError(RefmanError):
    """A citation key or a key pattern refused, with why in plain words."""


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a citation key, or None when it can."""
    if not key:
        return "a citation key cannot be empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"a citation key has at most {MAX_KEY_LENGTH} characters"
    bad = _BAD_KEY_CHARS.search(key)
    if bad:
        shown = "a space" if bad[0].isspace() else repr(bad[0])
        return (
            f"a citation key cannot hold {shown}: use letters, digits and - _ : . + / "
            "(BibTeX, LaTeX and Pandoc read those)"
        )
    return None


def folded(key: str) -> str:
    """The form two keys are compared in: BibTeX tells keys apart ignoring case."""
    return key.casefold()


# --- folding text into key parts -----------------------------------------------------------------

# Words that do not make a title recognisable (articles, prepositions, conjunctions), in the
# languages PubMed titles come in most often: Better BibTeX's skip words and a few more.
_STOP_WORDS = frozenset(
    """
    a ab aboard about above across after against al along amid among an and anti around as
    at before behind below beneath beside besides between beyond but by d da das de del dell
    dello dei degli della delle dem den der des despite die do down du during ein eine einem
    einen einer eines el en et except for from gli i il in inside into is l la las le les like
    lo los near nor of off on onto or over past per plus round save since so some sur than the
    through to toward towards un una unas under underneath une unlike uno unos until up upon
    versus via von vs while with within without yet zu zum
    am auf aus bei im mit und zur über con e para por sobre y""".split()  # noqa: SIM905
)

# Letters that Unicode does not decompose into an ASCII base and a mark.
_ASCII_FOLD = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"}
)  # fmt: skip
_NOT_KEY_CHAR = re.compile(r"[^A-Za-z0-9]")
_WORD = re.compile(r"\w+")


def ascii_fold(text: str) -> str:
    """ASCII letters and digits only, case kept: ``Ødegaard-Smith`` -> ``OdegaardSmith``."""
    if text.isascii() and text.isalnum():  # most names and words: nothing to take out
        return text
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
        text = decomposed.encode("ascii", "ignore").decode()
    return _NOT_KEY_CHAR.sub("", text)


@dataclass(frozen=True, slots=True)
class KeyFields:
    """What a key is made of: an item's title, year, PMID, pages, journal and the names of its
    first authors (editors when it has none) with how many there are. Small, so that a whole
    library's are made quickly (the schema step that gives every item a key)."""

    title: str = ""
    year: int | None = None
    pmid: str = ""
    pages: str = ""
    journal: str = ""  # the abbreviation, else the title
    names: tuple[str, ...] = ()  # the first four, as they are
    name_count: int = 0

    @classmethod
    def of(cls, ref: Reference) -> KeyFields:
        creators = ref.authors() or ref.editors()
        return cls(
            ref.title, ref.date.year, ref.pmid, ref.pages,
            ref.container_title_short or ref.container_title,
            tuple(c.literal or c.family or c.given for c in creators[:4]), len(creators),
        )  # fmt: skip


def _auth(f: KeyFields, _n: int) -> str:
    return ascii_fold(f.names[0]) if f.names else ""


def _authors(f: KeyFields, n: int) -> str:
    """The first ``n`` authors' names joined, ``EtAl`` when there are more."""
    more = "EtAl" if f.name_count > n else ""
    return "".join(ascii_fold(name) for name in f.names[:n]) + more


def title_words(title: str, n: int) -> list[str]:
    """The first ``n`` significant words of a title, folded (stop words and numbers skipped)."""
    words = []
    for match in _WORD.finditer(title):
        word = match[0]
        if word.lower() in _STOP_WORDS:
            continue
        folded_word = ascii_fold(word)
        if folded_word and not folded_word.isdigit():
            words.append(folded_word)
            if len(words) == n:
                break
    return words


def _title(f: KeyFields, n: int) -> str:
    """One word as it is; several capitalised, so that they read apart: SafetyEfficacyDrug."""
    words = title_words(f.title, n)
    return words[0] if n == 1 and words else "".join(w[:1].upper() + w[1:] for w in words)


def _year(f: KeyFields, _n: int) -> str:
    return str(f.year) if f.year else ""


def _firstpage(f: KeyFields, _n: int) -> str:
    first = re.split(r"[-–—,]", f.pages, maxsplit=1)[0] if f.pages else ""
    return ascii_fold(first)


def _pmid(f: KeyFields, _n: int) -> str:
    return f.pmid.strip() if f.pmid.strip().isdigit() else ""


def _journal(f: KeyFields, _n: int) -> str:
    return ascii_fold(f.journal)


@dataclass(frozen=True)
class _PartKind:
    make: Callable[[KeyFields, int], str]
    n: int  # how many names or words
    help: str


# Every part a pattern may use, with what it gives (README's table says the same).
PARTS: dict[str, _PartKind] = {
    "auth": _PartKind(_auth, 1, "the first author's family name (editor's if none)"),
    "authors2": _PartKind(_authors, 2, "the first two authors' names, EtAl when more"),
    "authors3": _PartKind(_authors, 3, "the first three authors' names, EtAl when more"),
    "year": _PartKind(_year, 1, "the year of publication"),
    "veryshorttitle": _PartKind(_title, 1, "the first significant word of the title"),
    "shorttitle": _PartKind(_title, 3, "the first three significant title words, capitalised"),
    "firstpage": _PartKind(_firstpage, 1, "the first page"),
    "pmid": _PartKind(_pmid, 1, "the PMID"),
    "journal": _PartKind(_journal, 1, "the journal's abbreviation (or its title)"),
}
MODIFIERS: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper}

# --- the pattern ------------------------------------------------------------------------------

_TOKEN = re.compile(r"\[([^\[\]]*)\]|([A-Za-z0-9\-_:.]+)|(.)")


@dataclass(frozen=True)
class _Part:
    name: str  # a key of PARTS, or "" for literal text
    text: str = ""  # the literal text
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Made:
    """A key as a pattern makes it: ``before`` + a disambiguation (when needed) + ``after``."""

    before: str
    after: str

    @property
    def plain(self) -> str:
        return self.before + self.after

    def candidates(self) -> Iterator[str]:
        """The plain key, then with ``a`` ... ``z``, ``aa`` ... in its place: as many as needed."""
        yield self.plain
        for length in count(1):
            for letters in product(ascii_lowercase, repeat=length):
                yield self.before + "".join(letters) + self.after


class KeyPattern:
    """A parsed key pattern; ``KeyPattern(text)`` refuses a bad one with CitationKeyError."""

    def __init__(self, text: str):
        self.text = text.strip()
        if not self.text:
            raise CitationKeyError(f"The key pattern is empty. The default is {DEFAULT_PATTERN}.")
        self.alternatives = [self._parse(alt, n) for n, alt in enumerate(self.text.split("|"))]
        # Where each alternative's disambiguation goes: after its last [year], else at the end.
        self._cuts = [_cut(parts) for parts in self.alternatives]

    def _parse(self, text: str, index: int) -> list[_Part]:
        where = f" (alternative {index + 1})" if "|" in self.text else ""
        if not text.strip():
            raise CitationKeyError(
                f"The key pattern has an empty alternative{where}: remove the extra |."
            )
        parts = []
        for match in _TOKEN.finditer(text):
            inside, literal, other = match.groups()
            if other is not None:
                if other == "]":
                    raise CitationKeyError(f"The key pattern has a ']' without its '['{where}.")
                if other == "[":
                    raise CitationKeyError(f"The key pattern has a '[' that is not closed{where}.")
                raise CitationKeyError(
                    f"The key pattern cannot hold {'a space' if other.isspace() else repr(other)}"
                    f"{where}: outside brackets use letters, digits and - _ : . only."
                )
            parts.append(_Part("", literal) if literal is not None else _part(inside, where))
        if not any(part.name for part in parts):
            raise CitationKeyError(
                f"The key pattern needs a part in brackets{where}, such as [auth] or [year]; "
                "text alone would give every item the same key."
            )
        return parts

    def make(self, ref: Reference | KeyFields) -> Made:
        """The key this pattern gives ``ref``, split where a disambiguation goes."""
        fields = ref if isinstance(ref, KeyFields) else KeyFields.of(ref)
        for number, parts in enumerate(self.alternatives):
            values = [_value(part, fields) for part in parts]
            last = number == len(self.alternatives) - 1
            if last or all(v for v, part in zip(values, parts, strict=True) if part.name):
                return _split(values, self._cuts[number])
        raise AssertionError("unreachable: the last alternative is always used")


def _part(inside: str, where: str) -> _Part:
    name, *modifiers = inside.strip().split(":")
    if name not in PARTS:
        raise CitationKeyError(
            f"The key pattern has an unknown part [{inside}]{where}. "
            f"The parts are: {', '.join(f'[{p}]' for p in PARTS)}."
        )
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            raise CitationKeyError(
                f"The key pattern has an unknown modifier :{modifier} in [{inside}]{where}. "
                f"The modifiers are: {', '.join(':' + m for m in MODIFIERS)}."
            )
    return _Part(name, "", tuple(modifiers))


def _value(part: _Part, fields: KeyFields) -> str:
    if not part.name:
        return part.text
    kind = PARTS[part.name]
    value = kind.make(fields, kind.n)
    for modifier in part.modifiers:
        value = MODIFIERS[modifier](value)
    return value


def _cut(parts: list[_Part]) -> int:
    years = [i for i, part in enumerate(parts) if part.name == "year"]
    return years[-1] + 1 if years else len(parts)


def _split(values: list[str], cut: int) -> Made:
    """The key cut at ``cut`` (a part's index) for its disambiguation; "ref" for none."""
    before, after = "".join(values[:cut]), "".join(values[cut:])
    if not before + after:
        before = EMPTY_KEY
    room = MAX_KEY_LENGTH - 4  # leaves room for a disambiguation
    return Made(before[:room], after[: max(0, room - len(before))])


def is_placeholder(key: str, ref: Reference | KeyFields, pattern: KeyPattern) -> bool:
    """Whether ``key`` is the stand-in an empty item got (``ref``, ``refa``, ...): the pattern
    still makes nothing of ``ref``."""
    return bool(re.fullmatch(EMPTY_KEY + "[a-z]*", key)) and pattern.make(ref).plain == EMPTY_KEY


def check_pattern(text: str) -> str | None:
    """Why ``text`` is not a usable key pattern, or None when it is."""
    try:
        KeyPattern(text)
    except CitationKeyError as exc:
        return str(exc)
    return None


# --- citing by key ----------------------------------------------------------------------------


def pandoc_citation(keys: Sequence[str]) -> str:
    """Pandoc's (and Quarto's) citation of the keys: ``[@knowles2023safety; @smith2021]``."""
    return "[" + "; ".join("@" + key for key in keys) + "]" if keys else ""


def latex_citation(keys: Sequence[str]) -> str:
    """LaTeX's citation of the keys: ``\\cite{knowles2023safety,smith2021}``."""
    return "\\cite{" + ",".join(keys) + "}" if keys else ""

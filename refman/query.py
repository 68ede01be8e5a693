"""The search language of the quick search box and every ``--query``: PubMed's syntax, parsed
into a small tree that the store runs against the library (store/querying.py).

What PubMed users type works here: field tags after a term (``stroke[ti]``, ``Knowles CH[au]``,
``"Stroke"[MeSH Terms]``, PubMed's "Search details" names such as ``[Title/Abstract]``),
``AND``, ``OR``, ``NOT`` in any case, parentheses, quoted phrases, ``*`` truncation and
publication date ranges (``2019:2023[dp]``, ``"2019"[dp] : "2023"[dp]``). As in PubMed the
operators are read left to right with no precedence (``a OR b AND c`` is ``(a OR b) AND c``),
terms next to each other are joined by AND, and a tag applies to all the words before it since
the last operator or parenthesis (``Knowles CH[au]`` is one author). A whole text that is a
PMID, a PMCID or a DOI finds that item.

Plain words with no tag, quote or operator are refman's instant search (each word a prefix of a
word in any field, tag or note): ``plain_words`` tells the store so, which then searches exactly
as it always has.

Pure: nothing here imports Qt, peewee or the rest of refman but the model's error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from refman.model import RefmanError

# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Words searched in one field (``all``: everywhere plain words look).

    ``quoted``: typed in quotes (a phrase; for authors, no truncation of the initials).
    ``truncated``: ended with ``*`` (its last word is a prefix). ``position``: where the term
    starts in the query, from 1. ``tag``: the field tag as typed, for messages."""

    text: str
    field: str = "all"
    quoted: bool = False
    truncated: bool = False
    position: int = 1
    tag: str = ""


@dataclass(frozen=True)
class DateRange:
    """Publication dates from ``low`` to ``high``, both in the store's ``date_sort`` form
    (``2019-03-00``; 00 for a part the date does not give), inclusive."""

    low: str
    high: str
    position: int = 1


@dataclass(frozen=True)
class Identifier:
    """A PMID, PMCID or DOI typed or pasted alone."""

    kind: str  # "pmid", "pmcid" or "doi"
    value: str


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """``keep NOT drop``; ``keep`` None: every item (a query that starts with NOT)."""

    keep: Node | None
    drop: Node


Node = Term | DateRange | Identifier | And | Or | Not


class QueryError(RefmanError):
    """A search text that cannot be read, with where (``position``, from 1) and why.

    ``detail`` says what is wrong and where (``the "(" at character 1 is never closed``); the
    message (``str``, what the command line prints) names the query too, once ``in_query`` has
    given it. ``shown`` is the line the window shows under the search box."""

    lead = "cannot be read"

    def __init__(self, detail: str, position: int | None = None, text: str | None = None):
        self.detail = detail
        self.position = position
        self.text = text
        super().__init__(detail if text is None else f"the query '{text}' {self.lead}: {detail}")

    @property
    def shown(self) -> str:
        return f"Search not understood: {self.detail}"


def in_query(error: QueryError, text: str) -> QueryError:
    """The same error, its message naming the query it is about."""
    return type(error)(error.detail, error.position, text)


# --- fields -----------------------------------------------------------------------------------

# The field tags, as PubMed's help and its "Search details" write them (lower case, spaces
# collapsed), and refman's own, to the field the store searches.
FIELD_TAGS: dict[str, str] = {
    **dict.fromkeys(("all", "all fields", "tw", "text word", "text words"), "all"),
    **dict.fromkeys(("ti", "title"), "title"),
    **dict.fromkeys(("tiab", "title/abstract"), "tiab"),
    **dict.fromkeys(("ab", "abstract"), "abstract"),
    **dict.fromkeys(("au", "author", "auth", "fau", "full author name"), "author"),
    **dict.fromkeys(("1au", "author - first", "first author", "first author name"), "first_author"),
    **dict.fromkeys(("lastau", "author - last", "last author", "last author name"), "last_author"),
    **dict.fromkeys(("ad", "affiliation", "affl"), "affiliation"),
    **dict.fromkeys(("ta", "journal", "jour", "jt", "journal title"), "journal"),
    **dict.fromkeys(("mh", "mesh", "mesh terms", "mh:noexp", "mesh terms:noexp"), "mesh"),
    **dict.fromkeys(("majr", "mesh major topic", "majr:noexp", "mesh major topic:noexp"), "major"),
    **dict.fromkeys(("sh", "mesh subheading", "subheading", "sh:noexp"), "subheading"),
    **dict.fromkeys(("pt", "publication type", "ptyp"), "pubtype"),
    **dict.fromkeys(("la", "language", "lang"), "language"),
    **dict.fromkeys(("dp", "pdat", "date - publication", "publication date"), "date"),
    **dict.fromkeys(("pmid", "uid"), "pmid"),
    **dict.fromkeys(("doi", "aid", "lid"), "doi"),
    **dict.fromkeys(("pmc", "pmcid"), "pmcid"),
    "tag": "tag",
    "note": "note",
    "collection": "collection",
    "pdf": "pdf",
}
# The tags named in messages, one per field.
SHOWN_TAGS = (  # noqa: SIM905
    "ti tiab ab au 1au lastau ad ta mh majr sh pt la dp pmid doi tag note collection pdf"
).split()

# Language names people type, to the codes records use (MEDLINE's ISO 639-2, RIS's ISO 639-1).
_LANGUAGES = {
    "english": ("eng", "en"),
    "french": ("fre", "fra", "fr"),
    "german": ("ger", "deu", "de"),
    "spanish": ("spa", "es"),
    "italian": ("ita", "it"),
    "japanese": ("jpn", "ja"),
    "chinese": ("chi", "zho", "zh"),
    "russian": ("rus", "ru"),
    "portuguese": ("por", "pt"),
    "dutch": ("dut", "nld", "nl"),
    "polish": ("pol", "pl"),
    "swedish": ("swe", "sv"),
    "danish": ("dan", "da"),
    "norwegian": ("nor", "no"),
    "finnish": ("fin", "fi"),
    "korean": ("kor", "ko"),
    "turkish": ("tur", "tr"),
    "hebrew": ("heb", "he"),
    "arabic": ("ara", "ar"),
    "greek": ("gre", "ell", "el"),
    "hungarian": ("hun", "hu"),
    "czech": ("cze", "ces", "cs"),
}


def language_names(value: str) -> tuple[str, ...]:
    """Every lower-case form an item's language may take for what was typed (``english`` or
    ``eng``: ``english``, ``eng``, ``en``)."""
    value = value.strip().casefold()
    for name, codes in _LANGUAGES.items():
        if value == name or value in codes:
            return (name, *codes)
    return (value,)


# --- names ------------------------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd", "jr.", "sr."})


def fold(text: str) -> str:
    """Text as names and headings are compared: no accents, case folded, spaces collapsed."""
    if text.isascii():  # most names: nothing to decompose (and ten times quicker)
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def initials(given: str) -> str:
    """PubMed's initials of a given name: ``Charles H`` -> ``ch``, ``Ji-Hoon`` -> ``jh``;
    given names already in initials (``CH``) stay as they are. Lower case."""
    words = given.replace(".", " ").replace("-", " ").split()
    return "".join(
        w if w.isupper() and len(w) <= 3 else w[0] for w in words if w.casefold() not in _SUFFIXES
    ).casefold()


@dataclass(frozen=True)
class AuthorName:
    """An author as typed before ``[au]``: the family name, and the initials or the given name
    when given (folded). ``exact``: the initials must be exactly these (a quoted name, as
    PubMed); otherwise they are a beginning (``Knowles C`` finds ``Knowles CH``)."""

    family: str
    initials: str = ""
    given: str = ""
    exact: bool = False
    truncated: bool = False  # ``knowl*``: the family name is a beginning


def author_name(term: Term) -> AuthorName:
    """``Knowles CH``, ``Knowles C``, ``Knowles``, ``Knowles, Charles H`` or ``knowl*``."""
    text = term.text
    if "," in text:
        family, _, given = text.partition(",")
        return AuthorName(fold(family), given=fold(given), truncated=term.truncated)
    words = [w for w in text.split() if w.casefold() not in _SUFFIXES]
    if len(words) >= 2 and len(words[-1]) <= 3 and words[-1].isalpha() and not term.truncated:
        return AuthorName(fold(" ".join(words[:-1])), fold(words[-1]), exact=term.quoted)
    return AuthorName(fold(" ".join(words)), truncated=term.truncated)


def author_matches(name: AuthorName, family: str, given: str, literal: str) -> bool:
    """Whether a stored creator (family, given, or a group's literal name) is this author."""
    if literal and not family:
        found = fold(literal)
        return found.startswith(name.family) if name.truncated else found == name.family
    found = fold(family)
    if not (found.startswith(name.family) if name.truncated else found == name.family):
        return False
    if name.given:
        return fold(given).startswith(name.given)
    if name.initials:
        theirs = initials(given)
        return theirs == name.initials if name.exact else theirs.startswith(name.initials)
    return True


# --- identifiers and dates --------------------------------------------------------------------

_PMID = re.compile(r"[1-9][0-9]{0,8}")
_PMCID = re.compile(r"pmc[0-9]+", re.I)
# A DOI pasted alone; one followed by a field tag ("10.1161/x[doi]") is a query.
_DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.[0-9]{4,9}/[^\s\[\]]+)", re.I)
_DATE = re.compile(r"([0-9]{4})(?:[/-]([0-9]{1,2})(?:[/-]([0-9]{1,2}))?)?")


def bare_identifier(text: str) -> Identifier | None:
    """The PMID, PMCID or DOI that makes up the whole text, if it is one."""
    text = text.strip()
    if _PMID.fullmatch(text):
        return Identifier("pmid", text)
    if _PMCID.fullmatch(text):
        return Identifier("pmcid", text.upper())
    found = _DOI.fullmatch(text)
    return Identifier("doi", found.group(1)) if found else None


def _date_bound(text: str, position: int, *, high: bool) -> str:
    """A date (``2019``, ``2019/03``, ``2019/03/15``) as the low or high end of a range, in the
    ``date_sort`` form (``YYYY-MM-DD``, 00 for a missing part). An item's missing month or day
    counts as the first: the low end of ``2019/01/01`` takes in an item dated 2019."""
    found = _DATE.fullmatch(text.strip())
    if not found:
        raise QueryError(
            f'"{text}" at character {position} is not a date: use 2019, 2019/03, 2019/03/15 '
            "or a range such as 2019:2023[dp]",
            position,
        )
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    day = int(found.group(3)) if found.group(3) else None
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise QueryError(f'"{text}" at character {position} has no such month or day', position)
    if high:
        return f"{year:04d}-{month or 99:02d}-{day or 99:02d}"
    month_text = "00" if month in (None, 1) and day in (None, 1) else f"{month:02d}"
    return f"{year:04d}-{month_text}-{'00' if day in (None, 1) else f'{day:02d}'}"


def date_range(low: str, high: str, position: int) -> DateRange:
    first = _date_bound(low, position, high=False)
    last = _date_bound(high, position, high=True)
    if last < first:
        raise QueryError(f"the dates at character {position} run backwards", position)
    return DateRange(first, last, position)


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "quoted", "tag", "(", ")", ":", "op"
    text: str
    position: int  # from 1


_OPERATORS = frozenset({"and", "or", "not"})


def tokens(text: str) -> list[Token]:
    """The query's tokens; QueryError for an unclosed quote or field tag."""
    found: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            found.append(Token(ch, ch, i + 1))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(f"the quote at character {i + 1} is never closed", i + 1)
            found.append(Token("quoted", text[i + 1 : end], i + 1))
            i = end + 1
        elif ch == "[":
            end = text.find("]", i + 1)
            if end < 0:
                raise QueryError(f"the field tag at character {i + 1} has no closing ]", i + 1)
            found.append(Token("tag", text[i + 1 : end], i + 1))
            i = end + 1
        elif ch == "]":
            raise QueryError(f'"]" at character {i + 1} closes no field tag', i + 1)
        else:
            start = i
            # A quote inside a word is part of it (lang"uage); one before a word opens a phrase.
            while i < len(text) and not text[i].isspace() and text[i] not in "()[]":
                i += 1
            word = text[start:i]
            kind = "op" if word.casefold() in _OPERATORS else ":" if word == ":" else "word"
            found.append(Token(kind, word, start + 1))
    return found


def parse(text: str) -> Node | None:
    """The query's tree; None for blank text. QueryError (with the position) when it cannot be
    read."""
    if not text.strip():
        return None
    try:
        return _parse(text)
    except QueryError as error:
        raise in_query(error, text) from None


def _parse(text: str) -> Node:
    identifier = bare_identifier(text)
    if identifier is not None:
        if identifier.kind == "pmid":  # a number may also be a year or a word of a title
            return Or((Term(text.strip()), identifier))
        return identifier
    parser = _Parser(tokens(text))
    node = parser.expression()
    extra = parser.peek()
    if extra is not None:  # only ")" stops an expression early
        raise QueryError(f'")" at character {extra.position} has no "(" before it', extra.position)
    if node is None:
        raise QueryError("the query has nothing to search for")
    return node


def plain_words(node: Node | None) -> list[str] | None:
    """The words of a query of plain words only (no tag, quote, operator or identifier), which
    the store searches as it always has; None for any other query."""
    parts = node.parts if isinstance(node, And) else (node,)
    words = []
    for part in parts:
        if not (isinstance(part, Term) and part.field == "all" and not part.quoted):
            return None
        words.append(part.text + "*" * part.truncated)
    return words


class _Parser:
    """Reads tokens left to right: PubMed gives AND, OR and NOT no precedence."""

    def __init__(self, found: list[Token]):
        self.tokens = found
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> Node | None:
        """Units joined by operators (AND when none is written), up to ")" or the end."""
        node: Node | None = None
        operator: Token | None = None
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind == "op":
                operator = self._operator(node, operator, self.take())
                continue
            unit = self.unit()
            node = _join(node, operator.text.casefold() if operator else "and", unit)
            operator = None
        if operator is not None:
            raise QueryError(
                f"{operator.text.upper()} at character {operator.position} needs a search term "
                "after it",
                operator.position,
            )
        return node

    @staticmethod
    def _operator(node: Node | None, pending: Token | None, token: Token) -> Token:
        word = token.text.upper()
        if pending is not None:
            if pending.text.casefold() == "and" and word == "NOT":
                return token  # "a AND NOT b" is read as "a NOT b"
            raise QueryError(
                f"{word} at character {token.position} follows {pending.text.upper()}: "
                "expected a search term between them",
                token.position,
            )
        if node is None and word != "NOT":
            raise QueryError(
                f"{word} at character {token.position} needs a search term before it",
                token.position,
            )
        return token

    def unit(self) -> Node:
        token = self.take()
        if token.kind == "(":
            return self._group(token)
        if token.kind == "quoted":
            return self._tagged([token], quoted=True)
        if token.kind == "word":
            words = [token]
            while (after := self.peek()) is not None and after.kind == "word":
                words.append(self.take())
            return self._tagged(words, quoted=False)
        if token.kind == "tag":
            raise QueryError(
                f"the field tag [{token.text}] at character {token.position} has no search "
                "term before it",
                token.position,
            )
        if token.kind == ":":
            raise QueryError(
                f'":" at character {token.position} must stand between two dates, as in '
                '"2019"[dp] : "2023"[dp]',
                token.position,
            )
        raise QueryError(f'")" at character {token.position} has no "(" before it', token.position)

    def _group(self, opening: Token) -> Node:
        inner = self.expression()
        closing = self.peek()
        if closing is None:
            raise QueryError(
                f'the "(" at character {opening.position} is never closed', opening.position
            )
        self.take()
        if inner is None:
            raise QueryError(
                f"the parentheses at character {opening.position} hold nothing", opening.position
            )
        after = self.peek()
        if after is not None and after.kind == "tag":
            raise QueryError(
                f"the field tag [{after.text}] at character {after.position} follows "
                "parentheses: put a tag after each term inside them",
                after.position,
            )
        return inner

    def _tagged(self, words: list[Token], *, quoted: bool) -> Node:
        """Words with the field tag after them, if any: one term of all of them when tagged,
        else a term per word (or the quoted phrase)."""
        first = words[0]
        tag = self.peek()
        if tag is None or tag.kind != "tag":
            parts = tuple(_term(w.text, "all", w, quoted=quoted, tag="") for w in words)
            return parts[0] if len(parts) == 1 else And(parts)
        self.take()
        field = _field(tag)
        text = " ".join(w.text for w in words)
        if field == "date":
            return self._dates(text, first)
        return _term(text, field, first, quoted=quoted, tag=tag.text)

    def _dates(self, text: str, first: Token) -> DateRange:
        """``2019:2023[dp]``, ``2019[dp]``, or PubMed's ``"2019"[dp] : "2023"[dp]``."""
        colon = self.peek()
        if colon is not None and colon.kind == ":":
            self.take()
            high = self.peek()
            if high is None or high.kind not in ("word", "quoted"):
                raise QueryError(
                    f'":" at character {colon.position} needs a date after it', colon.position
                )
            self.take()
            tag = self.peek()
            if tag is None or tag.kind != "tag" or _field(tag) != "date":
                raise QueryError(
                    f"the date at character {high.position} needs [dp] after it", high.position
                )
            self.take()
            return date_range(text, high.text, first.position)
        low, _, high_text = text.partition(":")
        return date_range(low, high_text or low, first.position)


def _field(tag: Token) -> str:
    name = " ".join(tag.text.casefold().split())
    name = re.sub(r"\s*-\s*", " - ", name)
    field = FIELD_TAGS.get(name)
    if field is None:
        shown = ", ".join(f"[{t}]" for t in SHOWN_TAGS)
        raise QueryError(
            f"[{tag.text}] at character {tag.position} is not a field refman knows; "
            f"use one of {shown}",
            tag.position,
        )
    return field


def _term(text: str, field: str, first: Token, *, quoted: bool, tag: str) -> Term:
    truncated = text.endswith("*")
    text = text.rstrip("*").strip() if truncated else text.strip()
    # A plain word without letters ("?") is left to the store, which says the whole query has
    # no words when it has no other; a tagged or quoted one can only be a slip.
    if (tag or quoted) and not any(ch.isalnum() for ch in text):
        where = f"before [{tag}] " if tag else ""
        raise QueryError(
            f'"{first.text}" {where}at character {first.position} has no word to search for',
            first.position,
        )
    return Term(text, field, quoted, truncated, first.position, tag)


def _join(node: Node | None, operator: str, unit: Node) -> Node:
    """``node OPERATOR unit``, read left to right (a leading NOT keeps everything else)."""
    if operator == "not":
        return Not(node, unit)
    if node is None:
        return unit
    kind = And if operator == "and" else Or
    if isinstance(node, kind):
        return kind((*node.parts, unit))
    return kind((node, unit))

"""Field values of a .bib file: raw values to LaTeX text, LaTeX text to plain text, names, dates.

A raw value is what follows ``=`` in the file: ``{...}``, ``"..."``, a number or a ``@string``
name, joined by ``#``. ``evaluate`` turns it into LaTeX text (the delimiters gone, strings put
in); the source record keeps that. ``plain`` turns LaTeX text into the text refman shows:
accents and commands to Unicode (pylatexenc), braces of ``{Protected}`` capitals gone,
math sub- and superscripts as Unicode where it has them. ``names`` splits a name list with
bibtexparser's rules (von and Jr parts, ``{Collective Authors}``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from refman.formats.text import one_line, without_controls
from refman.model import AUTHOR, Creator, PartialDate

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
# BibTeX's predefined strings: the month macros.
PREDEFINED = dict(zip(MONTHS, (name.capitalize() for name in _MONTH_NAMES), strict=True))


# --- raw values -------------------------------------------------------------------------------


_BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACES = re.compile(r'[{}"]')


def _braced_end(raw: str, start: int) -> int:
    """The index after the ``}`` that closes the ``{`` at ``start`` (the end if none does)."""
    depth = 0
    for mark in _BRACES.finditer(raw, start):
        depth += 1 if mark[0] == "{" else -1
        if depth == 0:
            return mark.end()
    return len(raw)


def _quoted_end(raw: str, start: int) -> int:
    """The index after the ``"`` that closes the one at ``start``, outside braces."""
    depth = 0
    for mark in _QUOTE_OR_BRACES.finditer(raw, start + 1):
        char = mark[0]
        if char == '"' and depth <= 0:
            return mark.end()
        depth += (char == "{") - (char == "}")
    return len(raw)


def evaluate(raw: str, strings: dict[str, str]) -> tuple[str, bool]:
    """The LaTeX text of a raw value, and whether it was a bare macro name alone (``mar``).

    ``strings`` maps lower-case ``@string`` names to their text; a name that no ``@string``
    defines stays as it is (BibTeX would drop it: "sept" for a month is better kept).
    """
    parts: list[str] = []
    index = 0
    bare = False
    pieces = 0
    while index < len(raw):
        char = raw[index]
        if char.isspace() or char == "#":
            index += 1
            continue
        pieces += 1
        if char == "{":
            end = _braced_end(raw, index)
            parts.append(
                raw[index + 1 : end - 1] if raw[end - 1 : end] == "}" else raw[index + 1 :]
            )
        elif char == '"':
            end = _quoted_end(raw, index)
            parts.append(raw[index + 1 : end - 1] if end - index >= 2 else "")
        else:
            found = re.compile(r"[^#\s]+").match(raw, index)
            end = found.end() if found else len(raw)
            word = raw[index:end]
            bare = not word.isdigit()
            parts.append(word if word.isdigit() else strings.get(word.lower(), _macro(word)))
        index = end
        while index < len(raw) and raw[index].isspace():
            index += 1
        if index < len(raw) and raw[index] != "#":
            break  # a comma was missing before the next field: BibTeX stops here too
    return "".join(parts), bare and pieces == 1


def _macro(word: str) -> str:
    return PREDEFINED.get(word.lower(), word)


# --- LaTeX to text ----------------------------------------------------------------------------

_DECODER_CONTEXT = get_default_latex_context_db()
_DECODER_CONTEXT.add_context_category(
    "refman",
    prepend=True,
    macros=[
        MacroTextSpec("url", simplify_repl="%s"),
        MacroTextSpec("textquotesingle", "'"),
        MacroTextSpec("textasciicircum", "^"),  # not the modifier letter pylatexenc gives
        MacroTextSpec("textasciitilde", "~"),
        MacroTextSpec("textbraceleft", "{"),  # refman's writer, for braces that do not pair
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textbackslash", "\\"),
        MacroTextSpec("S", "§"),
        MacroTextSpec("P", "¶"),
        MacroTextSpec("pounds", "£"),
        MacroTextSpec("epsilon", "ε"),  # what a writer of \epsilon means, as refman's does
        MacroTextSpec("phi", "φ"),
    ],
)
_DECODER = LatexNodes2Text(
    latex_context=_DECODER_CONTEXT, math_mode="text", strict_latex_spaces=True
)

_SUB = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", strict=True))
_SUP = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_MATH = re.compile(r"(?<!\\)\$((?:\\.|[^$\\])*)\$")  # math between dollars, not \$
_SCRIPT = re.compile(r"([_^])(?:\{(?:\\(?:textrm|mathrm|text)\s*\{([^{}]*)\}|([^{}]*))\}|(\w))")
# LaTeX text that needs no decoding: no command, brace, math, tie, dash ligature or quote pair.
_NEEDS_DECODING = re.compile(r"[\\{}$~%]|--|``|''")
# An accent with nothing under it (``\~`` alone) is the accent itself.
_LONE_ACCENT = re.compile(r"(^|\s)([\u0300\u0301\u0302\u0303\u0308])")
_SPACING = {"\u0300": "`", "\u0301": "´", "\u0302": "^", "\u0303": "~", "\u0308": "¨"}


def _script(match: re.Match[str]) -> str:
    text = match[2] if match[2] is not None else match[3] if match[3] is not None else match[4]
    table = _SUB if match[1] == "_" else _SUP
    if text and all(char in table for char in text):
        return "".join(table[char] for char in text)
    return text or ""


def _scripts(math: re.Match[str]) -> str:
    return "$" + _SCRIPT.sub(_script, math[1]) + "$"


# What the quick path (``_simply``) decodes on its own: braces, the escapes of specials and
# dash ligatures. Any other command, math, a tie or a quote ligature goes to pylatexenc, which
# is some fifty times slower on an abstract.
_NEEDS_DECODER = re.compile(r"\\(?![&%$#_])|(?<!\\)[$~]|``|''")
_SIMPLE_ESCAPE = re.compile(r"\\([&%$#_])")
_BRACE = re.compile(r"[{}]")
_BARE_PERCENT = re.compile(r"(?<!\\)%")


def _simply(text: str) -> str:
    text = _BRACE.sub("", text)
    if "--" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    return _SIMPLE_ESCAPE.sub(r"\1", text) if "\\" in text else text


def plain(latex: str) -> str:
    """The text that LaTeX text stands for, on one line, without control characters."""
    # Short texts (names, journals, keywords) recur: those are cached, the long ones not.
    return _plain_cached(latex) if len(latex) < _CACHED_CHARS else _plain(latex)


_CACHED_CHARS = 128


@lru_cache(maxsize=4096)
def _plain_cached(latex: str) -> str:
    return _plain(latex)


def _plain(latex: str) -> str:
    text = without_controls(latex)
    if not _NEEDS_DECODING.search(text):
        pass
    elif not _NEEDS_DECODER.search(text):
        text = _simply(text)
    else:
        if "$" in text:
            text = _MATH.sub(_scripts, text)
        if "%" in text:  # a bare % is text in BibTeX, a comment to LaTeX
            text = _BARE_PERCENT.sub(r"\\%", text)
        try:
            text = _DECODER.latex_to_text(text)
        except (RecursionError, ValueError, IndexError):  # pylatexenc on a broken text
            text = text.replace("{", "").replace("}", "")
        if _LONE_ACCENT.search(text):
            text = _LONE_ACCENT.sub(lambda m: m[1] + _SPACING[m[2]], text)
    if "`" in text:  # Spanish ligatures
        text = text.replace("?`", "¿").replace("!`", "¡")
    # White space as one space, but a no-break space (a tie, ~) kept.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # most text, as one_line finds it
    return _SPACES.sub(" ", text).strip(" ")


_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_VERBATIM_ESCAPE = re.compile(r"\\([_%&#~$])")


def verbatim(latex: str) -> str:
    """A url or doi: read as it is, but for escapes some tools add (``\\_``) and one line."""
    return one_line(_VERBATIM_ESCAPE.sub(r"\1", without_controls(latex)))


# --- names ------------------------------------------------------------------------------------


def _is_braced_whole(name: str) -> bool:
    return name.startswith("{") and name.endswith("}") and _braced_end(name, 0) == len(name)


@lru_cache(maxsize=4096)  # names recur across entries
def _person(name: str) -> tuple[str, str]:
    """(family, given) of one person's name, von part in the family, Jr part given last."""
    if "{" not in name and 1 <= name.count(",") <= 2:
        # "von Last, First" or "von Last, Jr, First": the parts are the commas' (the rule
        # bibtexparser follows as well, in a tenth of the time).
        last, *rest = name.split(",")
        first = rest[-1] + (" " + rest[0] if len(rest) == 2 else "")
        return plain(last.strip()), plain(first.strip())
    parts = parse_single_name_into_parts(name, strict=False)
    return plain(" ".join(parts.von + parts.last)), plain(" ".join(parts.first + parts.jr))


def names(latex: str, role: str = AUTHOR) -> list[Creator]:
    """The people and groups of a name list (``author``, ``editor``), in order.

    ``{Collective Authors}`` is a group (literal); a person's von part goes with the family
    name and a Jr part at the end of the given names (``Frank R Jr``, as MEDLINE has it).
    ``others`` (BibTeX's "et al.") names no one.
    """
    creators = []
    for name in split_multiple_persons_names(" ".join(latex.split())):
        name = name.strip()
        if not name or name.lower() == "others":
            continue
        if _is_braced_whole(name):
            literal = plain(name)
            if literal:
                creators.append(Creator(literal=literal, role=role))
            continue
        family, given = _person(name)
        if family or given:
            creators.append(Creator(family or given, given if family else "", role=role))
    return creators


# --- dates ------------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR = re.compile(r"\d{4}")


def month_number(text: str) -> int | None:
    """``mar``, ``March``, ``3``, ``03``, ``Mar.`` as 3; None for anything else."""
    word = text.strip().lower().rstrip(".")
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 12 else None
    for number, (short, full) in enumerate(zip(MONTHS, _MONTH_NAMES, strict=True), 1):
        if word in (short, full) or (word == "sept" and number == 9):
            return number
    return None


def _day(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 31 else None


def date_of(date: str, year: str, month: str, day: str) -> PartialDate:
    """The date of an entry: BibLaTeX ``date`` (ISO 8601, a range's start) or else BibTeX
    ``year``, ``month`` and ``day``. The text is MEDLINE's printed form (``2023 Dec 1``)."""
    y: int | None = None
    m: int | None = None
    d: int | None = None
    found = _ISO.match(date.strip()) if date else None
    if found:
        y = int(found[1])
        m = int(found[2]) if found[2] and 1 <= int(found[2]) <= 12 else None
        d = _day(found[3]) if m and found[3] else None
    else:
        in_year = _YEAR.search(year)
        if in_year:
            y = int(in_year[0])
            m = month_number(month) if month else None
            d = _day(day) if m and day else None
    if y is None:
        return PartialDate()
    return with_text(PartialDate(y, m, d))


def with_text(date: PartialDate) -> PartialDate:
    parts = [str(date.year)]
    if date.month:
        parts.append(MONTHS[date.month - 1].capitalize())
        if date.day:
            parts.append(str(date.day))
    return PartialDate(date.year, date.month, date.day, " ".join(parts))

"""Personal names for CSL: particles, initials, and the order of the name parts.

The rules are citeproc-js's, re-implemented:

* A family name given as ``"de Brouwer"`` or ``"van der Berg"`` (with a given name) has its
  leading lowercase words split off as the non-dropping particle, and trailing lowercase words of
  the given name (``"Ludwig van"``) become the dropping particle. The style's
  ``demote-non-dropping-particle`` then decides where the particle goes when the name is inverted.
* ``initialize-with`` initialises given names ("Charles H" gives "C. H.", "CH" or "C.H."
  depending on the terminator); with ``initialize="false"`` only existing initials get the
  terminator ("Charles H" gives "Charles H."); without ``initialize-with`` the given name is
  printed as it is.
* One addition: a given name written only in capitals of two to four letters next to a family name
  that is not in capitals ("Knowles CH", the MEDLINE ``AU`` form) is read as a run of initials, so
  that it initialises to "CH" / "C. H." rather than to a single "C".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_WS = "\t\n\x0b\x0c\r \ufeff\u00a0"
_FAMILY_PARTICLE_RE = re.compile(r"^([^ ]+(?:-|\u02bb|\u2019| |') *)(.+)$", re.S)
_GIVEN_PARTICLE_RE = re.compile(r"^([^ ]+(?:\u02bb |\u2019 | |' ) *)(.+)$", re.S)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_INITIAL_RE = re.compile(r"^([^\W\d_])([^\W\d_]*)")


@dataclass
class PersonName:
    """A creator as CSL-JSON gives it, after particle parsing."""

    family: str = ""
    given: str = ""
    non_dropping_particle: str = ""
    dropping_particle: str = ""
    suffix: str = ""
    literal: str = ""
    comma_suffix: bool = False

    @property
    def is_literal(self) -> bool:
        return bool(self.literal) or not (self.family or self.given)

    def key(self) -> tuple[str, ...]:
        return (
            self.family,
            self.given,
            self.non_dropping_particle,
            self.dropping_particle,
            self.suffix,
            self.literal,
        )


def name_from_csl(data: Mapping[str, Any]) -> PersonName:
    """A PersonName from a CSL-JSON name object, with particles parsed out as citeproc-js does."""
    name = PersonName(
        family=str(data.get("family") or ""),
        given=str(data.get("given") or ""),
        non_dropping_particle=str(data.get("non-dropping-particle") or ""),
        dropping_particle=str(data.get("dropping-particle") or ""),
        suffix=str(data.get("suffix") or ""),
        literal=str(data.get("literal") or ""),
        comma_suffix=bool(data.get("comma-suffix")),
    )
    if name.literal:
        return name
    if name.family.startswith('"') and name.family.endswith('"') and len(name.family) > 1:
        name.family = name.family[1:-1]  # a quoted family name is taken as it is
        return name
    if data.get("static-particles") or data.get("parse-names") is False:
        return name
    if name.family and name.given and not name.non_dropping_particle:
        _parse_particles(name)
    return name


def _leading_particles(
    value: str, regex: re.Pattern[str], *, reversed_words: bool = False
) -> tuple[list[str], str]:
    """Split leading lowercase words off ``value``.

    ``reversed_words``: ``value`` is written backwards (to find trailing particles of a given
    name), so a word's first letter is the last letter of its chunk: "Henry" read backwards is
    "yrneH", a capitalised word and no particle.
    """
    found: list[str] = []
    rest = value
    while match := regex.match(rest):
        chunk = match.group(1)
        word = re.sub(r"^[-'\u02bb\u2019\s]*", "", chunk)
        if reversed_words:
            word = re.sub(r"[-'\u02bb\u2019\s]*$", "", word)[::-1]
        first = word[:1]
        if not first or first.upper() == first:
            break
        found.append(chunk)
        rest = match.group(2)
    return found, rest


def _parse_particles(name: PersonName) -> None:
    particles, family = _leading_particles(name.family, _FAMILY_PARTICLE_RE)
    if particles:
        joined = "".join(particles)
        stripped = joined.strip()
        if joined.endswith(" ") and stripped[-1:] in "'\u2019":
            stripped += " "
        name.non_dropping_particle, name.family = stripped, family
    _parse_suffix(name)
    # Trailing particles of the given name: parse the reversed string from the front.
    reversed_particles, rest = _leading_particles(
        name.given[::-1], _GIVEN_PARTICLE_RE, reversed_words=True
    )
    if reversed_particles:
        name.given = rest[::-1]
        name.dropping_particle = "".join(reversed_particles)[::-1].strip()


def _parse_suffix(name: PersonName) -> None:
    match = re.search(r"\s*,!*\s*", name.given)
    if name.suffix or not match:
        return
    possible = name.given[match.end() :]
    if possible.replace(".", "") == "et al" and not name.dropping_particle:
        name.dropping_particle = possible
    else:
        name.comma_suffix = len(re.sub(r"\s", "", match.group())) == 2
        name.suffix = possible
    name.given = name.given[: match.start()]


def looks_like_initials(given: str, family: str) -> bool:
    """True for a MEDLINE-style run of initials ("CH") beside a family name not in capitals."""
    return 2 <= len(given) <= 4 and given.isalpha() and given.isupper() and not family.isupper()


# --- Initials -----------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def initialize(
    given: str,
    terminator: str,
    *,
    hyphen: bool = True,
    normalize_only: bool = False,
    family: str = "",
) -> str:
    """Initialise ``given`` (or, with ``normalize_only``, add ``terminator`` to its initials)."""
    if not given:
        return ""
    if looks_like_initials(given, family):
        given = " ".join(given)
    if given in ("Lord", "Lady") or not (_LATIN.match(given[0]) or "%s" in terminator):
        return given
    words = _split_words(given, hyphen)
    result = _normalize(words, terminator) if normalize_only else _initialize(words, terminator)
    return re.sub("\u2013([a-z])", r"-\1", result)


def _split_words(given: str, hyphen: bool) -> list[str]:
    """Words and the separators between them: [word, sep, word, sep, word]."""
    text = given if hyphen else given.replace("-", " ")
    text = re.sub(r"\s+", " ", re.sub(r"\s*-\s*", "-", text))
    text = re.sub(r"-([a-z])", "\u2013\\1", text)  # a lowercase part after a hyphen stays whole
    text = re.sub(r"\.(?=[^ ])", ". ", text)  # citeproc-js: "M.Hassan" is "M. Hassan"
    parts = re.split(r"([-\s]+)", text)
    # "T.S." is two initials.
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0 and "." in part[:-1]:
            pieces = [p + "." for p in part[:-1].split(".")]
            out.extend(_interleave(pieces, " "))
        else:
            out.append(part)
    return out


def _interleave(words: list[str], sep: str) -> list[str]:
    out: list[str] = []
    for i, word in enumerate(words):
        if i:
            out.append(sep)
        out.append(word)
    return out


def _tidy(words: list[str]) -> str:
    text = "".join(words).rstrip(_WS)
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"[\t\n\x0b\x0c\r ]+", " ", text)


def _initialize(words: list[str], terminator: str) -> str:
    for i in range(0, len(words), 2):
        word = words[i]
        if not word:
            continue
        match = _INITIAL_RE.match(word)
        if match and match.group(1) == match.group(1).upper():
            words[i] = _initial_of(match)
            _terminate(words, i, terminator)
        elif _LATIN.search(word):
            words[i] = " " + word
    return _tidy(words)


def _initial_of(match: re.Match[str]) -> str:
    head: str = match.group(1)
    rest: str = match.group(2)
    capitals = ""
    for char in rest:
        if char != char.upper():
            break
        capitals += char
    # "THomas"-style digraph initials keep their second letter ("Th").
    extra = capitals.lower() if len(capitals) < len(rest) else ""
    return head.upper() + extra


def _terminate(words: list[str], i: int, terminator: str) -> None:
    if "%s" in terminator:
        words[i] = terminator.replace("%s", words[i])
    elif i < len(words) - 1:
        words[i + 1] = terminator + words[i + 1] if "-" in words[i + 1] else terminator
    else:
        words.append(terminator)


def _normalize(words: list[str], terminator: str) -> str:
    abbrev = []
    for i, word in enumerate(words):
        if len(word) > 1 and word.endswith("."):
            words[i] = word[:-1]
            abbrev.append(True)
        else:
            abbrev.append(len(word) == 1 and word.upper() == word)
    last = len(words) - 1
    for i in range(0, len(words), 2):
        if not abbrev[i]:
            continue
        if i < last - 1:
            # citeproc-js's doNormalize: the terminator after an initial, and a space before
            # a word that is not one ("M.Hassan" is "M. Hassan").
            space = "" if abbrev[i + 2] else " "
            if len(words[i + 2]) > 1:
                words[i + 1] = terminator.rstrip("\ufeff") + space
            else:
                words[i + 1] = space + terminator
        if i == last:
            words[i] += terminator
    return _tidy(words)


@lru_cache(maxsize=8192)
def uninitialize(given: str) -> str:
    """Lower the second letter of words like "MArk" (citeproc-js does this to full names)."""
    parts = re.split(r"(-|\s+)", given)
    for i in range(0, len(parts), 2):
        word = parts[i]
        if word and word[:-1].isalpha() and word != word.upper():
            parts[i] = word[:1] + word[1:2].lower() + word[2:]
    return "".join(parts)


def is_romanesque(name: PersonName) -> bool:
    return bool(_LATIN.search(name.family.replace('"', "")))

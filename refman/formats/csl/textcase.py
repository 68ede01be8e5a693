"""CSL ``text-case`` transformations, applied across the leaves of a rendered blob.

The rules follow citeproc-js rather than a dictionary of English: text is cut into words at
spaces and at punctuation and quotation marks; "title" capitalises the first letter of every
word longer than one letter that is not a stop word, and always the first word, the last word and
a word after ``:``, ``?`` or ``!``; it never lowercases. "sentence" capitalises the first word and
lowercases the others. Leaves marked ``nocase`` (``<span class="nocase">`` in the data) are left
as they are but still count as words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from refman.formats.csl.blob import Blob


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (for long constant lists)."""
    return frozenset(text.split())


# citeproc-js's default skip-word list (the single words of it).
STOP_WORDS = word_set(
    """about above across afore after against along alongside amid amidst among amongst anenst
    apropos apud around as aside astride at athwart atop barring before behind below beneath
    beside besides between beyond but by circa despite down during except for forenenst from
    given in inside into lest like modulo near next notwithstanding of off on onto out over
    per plus pro qua sans since than through thru throughout thruout till to toward towards
    under underneath until unto up upon versus vs. v. vs v via vis-à-vis with within without
    or yet so and nor a an the de d' von van c et ca"""
)
_SPLIT_RE = re.compile(r"(\s+|[-\u2013\u2014/.,;?!:\[\]()\u201c\u201d\u2018\u2019\"'])")
_AFTER_PUNCT = frozenset("!?:")
_GREEK = re.compile(r"^[\u0370-\u03ff]$")


def capitalise(word: str) -> str:
    """Upper-case the first character (a lone Greek letter, a symbol in science, stays)."""
    if not word or _GREEK.match(word):
        return word
    return word[0].upper() + word[1:]


class _Words:
    """The words of a list of leaves, with a pointer back into each leaf."""

    def __init__(self, leaves: list[Blob]) -> None:
        self.leaves = leaves
        self.tokens = [_SPLIT_RE.split(leaf.text or "") for leaf in leaves]

    def write_back(self) -> None:
        for leaf, tokens in zip(self.leaves, self.tokens, strict=True):
            leaf.text = "".join(tokens)


def _is_separator(token: str) -> bool:
    return bool(token) and _SPLIT_RE.fullmatch(token) is not None


def _title(words: _Words) -> None:
    first, after_punct, last = True, False, None
    for li, tokens in enumerate(words.tokens):
        protected = words.leaves[li].nocase
        for ti, token in enumerate(tokens):
            if not token:
                continue
            if _is_separator(token):
                after_punct = after_punct or token in _AFTER_PUNCT
                continue
            if protected:
                first, after_punct, last = False, False, None
                continue
            before_hyphen = tokens[ti + 1 : ti + 2] == ["-"]
            if token[1:] != token[1:].lower():
                pass  # citeproc-js leaves a word with a capital inside as it is ("guiDe")
            elif (
                (len(token) > 1 and token.lower() not in STOP_WORDS)
                or first
                or after_punct
                or before_hyphen
            ):
                tokens[ti] = capitalise(token)
            first, after_punct, last = False, False, (li, ti)
    if last is not None:
        li, ti = last
        words.tokens[li][ti] = capitalise(words.tokens[li][ti])


def _word_mapper(transform: Callable[[str, bool], str]) -> Callable[[_Words], None]:
    """A case rule that maps each word, given whether it is the first word of the text."""

    def apply(words: _Words) -> None:
        first = True
        for li, tokens in enumerate(words.tokens):
            protected = words.leaves[li].nocase
            for ti, token in enumerate(tokens):
                if not token or _is_separator(token):
                    continue
                if not protected:
                    tokens[ti] = transform(token, first)
                first = False

    return apply


_RULES: dict[str, Callable[[_Words], None]] = {
    "title": _title,
    "sentence": _word_mapper(lambda w, first: capitalise(w) if first else w.lower()),
    "capitalize-first": _word_mapper(lambda w, first: capitalise(w) if first else w),
    "capitalize-all": _word_mapper(lambda w, first: capitalise(w)),
    "lowercase": _word_mapper(lambda w, first: w.lower()),
    "uppercase": _word_mapper(lambda w, first: w.upper()),
}


def apply_text_case(blob: Blob, case: str) -> None:
    """Transform the text of ``blob``'s leaves in place."""
    rule = _RULES.get(case)
    if rule is None:
        return
    words = _Words(list(blob.leaves()))
    rule(words)
    words.write_back()


def strip_periods(blob: Blob) -> None:
    """Remove periods that do not precede a lowercase letter (citeproc-js's strip-periods)."""
    for leaf in blob.leaves():
        leaf.text = re.sub(r"\.([^a-z]|$)", r"\1", leaf.text or "")

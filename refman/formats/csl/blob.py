"""The output tree of the CSL engine: blobs, and the rich-text markup allowed inside field values.

A style renders each entry to a tree of ``Blob`` objects instead of a string, the way citeproc-js
builds its output queue: a blob is either a leaf holding text or a container of child blobs
joined by a delimiter, and either kind carries a prefix, a suffix and decorations (italics,
quotes, display blocks, ...). Keeping the structure until the end is what lets the output stage
move punctuation into quotation marks, merge doubled punctuation at the seams between pieces,
and write the same tree as plain text, HTML or RTF.

CSL-JSON values may contain a few HTML-like tags (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
``<sc>``, ``<span class="nocase">``, small-caps spans) and quotation marks. ``parse_markup``
turns such a value into blobs whose decorations "flip" against the surrounding formatting, as
citeproc-js does: an italic phrase inside an italic title comes out upright, a quoted phrase
inside a quoted title gets the inner quotation marks. Straight apostrophes become ``’``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

# Decoration values ending in "*" flip against the enclosing value of the same attribute.
FLIP = "*"
# A decoration that marks a cite's suffix in a document: it prints nothing, and the output
# moves no punctuation of the suffix into a quotation that ends just before it (citeproc-js
# writes "“Title”, n. 3").
CITE_AFFIX = "cite-affix"


class Blob:
    """A piece of output: leaf text or a list of children, with affixes and decorations."""

    __slots__ = (
        "text",
        "children",
        "prefix",
        "suffix",
        "delimiter",
        "decorations",
        "nocase",
        "role",
    )

    def __init__(
        self,
        text: str | None = None,
        children: list[Blob] | None = None,
        *,
        prefix: str = "",
        suffix: str = "",
        delimiter: str = "",
        decorations: list[tuple[str, str]] | None = None,
        nocase: bool = False,
    ) -> None:
        self.text = text
        self.children = children if children is not None else []
        self.prefix = prefix
        self.suffix = suffix
        self.delimiter = delimiter
        self.decorations = decorations if decorations is not None else []
        self.nocase = nocase  # text-case transformations leave this leaf alone
        self.role = ""  # "names" on the output of a cs:names (for subsequent-author-substitute)

    @property
    def is_leaf(self) -> bool:
        return self.text is not None

    def is_empty(self) -> bool:
        # Containers are only built from non-empty children (see group and wrap), so a
        # container is empty only when it has no children.
        if self.text is not None:
            return not self.text
        return not self.children

    def leaves(self) -> Iterator[Blob]:
        """The leaves in reading order."""
        if self.is_leaf:
            yield self
            return
        for child in self.children:
            yield from child.leaves()

    def plain(self) -> str:
        """The text without affixes, delimiters or decorations' marks (for comparisons)."""
        if self.is_leaf:
            return self.text or ""
        parts = [c.plain_with_affixes() for c in self.children if not c.is_empty()]
        return self.delimiter.join(parts)

    def plain_with_affixes(self) -> str:
        return self.prefix + self.plain() + self.suffix

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        inner = repr(self.text) if self.is_leaf else repr(self.children)
        affixes = f"p={self.prefix!r}, s={self.suffix!r}, d={self.delimiter!r}"
        return f"Blob({inner}, {affixes}, {self.decorations})"


def leaf(text: str, nocase: bool = False) -> Blob:
    return Blob(text, nocase=nocase)


def group(children: Sequence[Blob | None], delimiter: str = "") -> Blob | None:
    """A container of the non-empty children, or None when nothing is left."""
    kept = [c for c in children if c is not None and not c.is_empty()]
    if not kept:
        return None
    return Blob(children=kept, delimiter=delimiter)


def wrap(
    inner: Blob | None,
    prefix: str = "",
    suffix: str = "",
    decorations: list[tuple[str, str]] | None = None,
) -> Blob | None:
    """Put affixes and decorations around ``inner`` (a new container when it already has some)."""
    if inner is None or inner.is_empty():
        return None
    if not (prefix or suffix or decorations):
        return inner
    # Blobs are built fresh for every entry, so a bare one can take the affixes in place.
    if inner.prefix or inner.suffix or inner.decorations:
        inner = Blob(children=[inner])
    inner.prefix, inner.suffix = prefix, suffix
    inner.decorations = list(decorations or [])
    return inner


# --- Markup inside field values ----------------------------------------------------------------

# Tags and the decoration each one stands for.
_TAGS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "<i>": ("</i>", ("font-style", "italic" + FLIP)),
    "<b>": ("</b>", ("font-weight", "bold" + FLIP)),
    "<sup>": ("</sup>", ("vertical-align", "sup")),
    "<sub>": ("</sub>", ("vertical-align", "sub")),
    "<sc>": ("</sc>", ("font-variant", "small-caps" + FLIP)),
    '<span style="font-variant:small-caps;">': ("</span>", ("font-variant", "small-caps" + FLIP)),
    '<span class="nocase">': ("</span>", None),
}
_QUOTE_DECOR = ("quotes", "true" + FLIP)
_TOKEN_RE = re.compile(
    r"<i>|</i>|<b>|</b>|<sup>|</sup>|<sub>|</sub>|<sc>|</sc>"
    r'|<span\s+class="nocase">|<span\s+style="font-variant:\s*small-caps;?">|</span>'
    r"|[\"“”'‘’]"
)
_SPAN_NORMAL = {
    re.compile(r'<span\s+class="nocase">'): '<span class="nocase">',
    re.compile(
        r'<span\s+style="font-variant:\s*small-caps;?">'
    ): '<span style="font-variant:small-caps;">',
}
_OPENING_CONTEXT = re.compile(r"(^|[\s(\[\u2014\u2013/-])$")


class _Frame:
    """An open tag or quotation while parsing."""

    def __init__(
        self,
        opener: str,
        closers: tuple[str, ...],
        decor: tuple[str, str] | None,
        nocase: bool,
    ) -> None:
        self.opener = opener
        self.closers = closers
        self.decor = decor
        self.nocase = nocase
        self.children: list[Blob] = []


def _normal_tag(token: str) -> str:
    for pattern, canonical in _SPAN_NORMAL.items():
        if pattern.fullmatch(token):
            return canonical
    return token


def has_markup(text: str) -> bool:
    return _TOKEN_RE.search(text) is not None


def parse_markup(text: str) -> Blob:
    """Parse a field value with rich-text markup and quotation marks into blobs."""
    if not has_markup(text):
        return leaf(text)
    stack = [_Frame("", (), None, False)]
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        _add_text(stack[-1], text[pos : match.start()])
        _handle_token(stack, _normal_tag(match.group()), text, match)
        pos = match.end()
    _add_text(stack[-1], text[pos:])
    while len(stack) > 1:  # unclosed openers are kept as literal text
        _unwind(stack)
    return _frame_blob(stack[0])


def _add_text(frame: _Frame, text: str) -> None:
    if not text:
        return
    last = frame.children[-1] if frame.children else None
    # last.text is not None: last.is_leaf, in a form the type checker follows.
    if (
        last is not None
        and last.text is not None
        and not last.decorations
        and last.nocase == frame.nocase
    ):
        last.text += text
    else:
        frame.children.append(leaf(text, frame.nocase))


def _handle_token(stack: list[_Frame], token: str, text: str, match: re.Match[str]) -> None:
    top = stack[-1]
    if token in top.closers:
        stack.pop()
        stack[-1].children.append(_frame_blob(top))
        return
    if token in _TAGS:
        closer, decor = _TAGS[token]
        stack.append(_Frame(token, (closer,), decor, top.nocase or decor is None))
        return
    if token in "\"“‘'":
        _quote_or_apostrophe(stack, token, text, match)
        return
    # A closing tag or mark with nothing open: keep it as text (an apostrophe for ’ and ').
    _add_text(top, "’" if token in "’'" else token)


def _quote_or_apostrophe(stack: list[_Frame], token: str, text: str, match: re.Match[str]) -> None:
    before = text[: match.start()]
    after = text[match.end() :]
    inside_word = before[-1:].isalnum() and after[:1].isalnum()
    if token == "'" and (inside_word or not _OPENING_CONTEXT.search(before)):
        _add_text(stack[-1], "’")
        return
    closers = {'"': ('"', "”"), "“": ("”", '"'), "‘": ("’", "'"), "'": ("'", "’")}[token]
    if after[:1].isspace() or not after:
        _add_text(stack[-1], "’" if token == "'" else token)
        return
    stack.append(_Frame(token, closers, _QUOTE_DECOR, stack[-1].nocase))


def _unwind(stack: list[_Frame]) -> None:
    """Dissolve the innermost unclosed frame into its parent as literal text."""
    frame = stack.pop()
    opener = "’" if frame.opener == "'" else frame.opener
    _add_text(stack[-1], opener)
    for child in frame.children:
        if child.is_leaf and not child.decorations:
            _add_text(stack[-1], child.text or "")
        else:
            stack[-1].children.append(child)


def _frame_blob(frame: _Frame) -> Blob:
    decorations = [frame.decor] if frame.decor else []
    frame.children = [c for c in frame.children if not c.is_empty()]
    if len(frame.children) == 1 and frame.children[0].is_leaf and not frame.children[0].decorations:
        only = frame.children[0]
        return Blob(only.text, decorations=decorations, nocase=only.nocase or frame.nocase)
    return Blob(children=frame.children, decorations=decorations)

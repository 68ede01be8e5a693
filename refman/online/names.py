"""A person's whole name, as Open Library and arXiv give it, split into CSL's family and given.

Those services give one string ("Iain M. Banks", "Adrian Del Maestro", at times "Banks, Iain
M."): the family name is the last word, with the particles before it ("van der", "de", "Del"),
the given names the rest. A single word is kept whole, as a literal name.
"""

from __future__ import annotations

# Words that begin a family name when they stand before its last word.
PARTICLES = frozenset(
    {"da", "das", "de", "dei", "del", "della", "der", "des", "di", "do", "dos", "du", "la", "le"}
    | {"st.", "st", "ten", "ter", "van", "von", "zu"}
)


def csl_name(whole: str) -> dict[str, str]:
    """A CSL name for ``whole``; an empty dict for an empty name."""
    whole = " ".join(whole.split())
    if not whole:
        return {}
    if "," in whole:
        family, given = (part.strip() for part in whole.split(",", 1))
        return {"family": family, "given": given} if given and family else {"literal": whole}
    words = whole.split(" ")
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    if start == 0:
        return {"literal": whole}
    return {"family": " ".join(words[start:]), "given": " ".join(words[:start])}

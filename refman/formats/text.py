"""Text helpers shared by the writers."""

from __future__ import annotations


def one_line(text: str) -> str:
    """Runs of white space (line breaks in abstracts too) as one space, none at either end."""
    # Every white space but " " is unprintable, so most text is returned as it is: splitting a
    # long abstract into words to join them again was a tenth of the time of an export.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())

"""Books by ISBN from Open Library's Books API (``/api/books?bibkeys=ISBN:...&jscmd=data``).

Open Library answers a JSON object keyed by the bibkeys it found (``ISBN:9780316030571``), each a
book's data: title and subtitle, authors (whole names), publishers and places, the publication
date as printed, the page count, identifiers and the book's page. An ISBN it does not know is left
out of the answer (an empty object for a single one). Each book is turned into a CSL-JSON item of
type book, which refman's CSL-JSON reader imports (and keeps as the item's source record); the
ISBN asked for is the item's ISBN, so that the same ISBN is found in the library next time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from refman.online.http import Http
from refman.online.names import csl_name
from refman.online.pubmed import json_object

BATCH = 50  # ISBNs in one request: a short URL, and one slow answer holds up few books
SOURCE = "Open Library"


@dataclass
class Books:
    """CSL-JSON bytes (one item each) by ISBN, and the ISBNs Open Library does not know."""

    items: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def fetch_isbns(http: Http, isbns: Sequence[str]) -> Books:
    """The books of up to ``BATCH`` ISBNs (13 digits each, see refman.identifiers). A failed
    request raises NetworkError; an answer that is not Open Library's JSON, BadResponseError."""
    what = f"ISBN {isbns[0]}" if len(isbns) == 1 else f"{len(isbns)} ISBNs"
    url = f"{http.settings.openlibrary_url.rstrip('/')}/api/books"
    bibkeys = ",".join(f"ISBN:{isbn}" for isbn in isbns)
    params = {"bibkeys": bibkeys, "format": "json", "jscmd": "data"}
    body = http.get(url, params, what=what).content
    answer = _answer(body, what)
    books = Books()
    for isbn in isbns:
        data = answer.get(f"ISBN:{isbn}")
        if isinstance(data, dict) and _text(data.get("title")):
            item = csl_item(data, isbn)
            books.items[isbn] = json.dumps(item, ensure_ascii=False, indent=1).encode()
        else:
            books.missing.append(isbn)
    return books


def _answer(body: bytes, what: str) -> dict[str, Any]:
    return json_object(body, "Open Library's", what, "a list of books")


def csl_item(data: dict[str, Any], isbn: str) -> dict[str, Any]:
    """A CSL-JSON item of type book for Open Library's ``data`` of ``isbn``."""
    title = _text(data.get("title"))
    subtitle = _text(data.get("subtitle"))
    item: dict[str, Any] = {
        "id": f"isbn-{isbn}",
        "type": "book",
        "title": f"{title}: {subtitle}" if subtitle else title,
        "author": [csl_name(_text(a.get("name"))) for a in _objects(data.get("authors"))],
        "ISBN": isbn,
        "source": SOURCE,
    }
    item["author"] = [name for name in item["author"] if name]
    optional = {
        "publisher": _first_name(data.get("publishers")),
        "publisher-place": _first_name(data.get("publish_places")),
        "number-of-pages": _text(data.get("number_of_pages")),
        "URL": _text(data.get("url")),
    }
    item.update({key: value for key, value in optional.items() if value})
    printed = _text(data.get("publish_date"))
    if printed:
        item["issued"] = issued(printed)
    return item


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_YEAR = re.compile(r"\b(1[4-9]\d\d|20\d\d)\b")
_DAY = re.compile(r"\b([1-9]|[12]\d|3[01])\b")


def issued(printed: str) -> dict[str, Any]:
    """A CSL date for a date as Open Library prints it ("July 28, 2008", "2008", "Mar 2001"):
    the year, and the month and day when they are named; the text kept as ``raw``."""
    year = _YEAR.search(printed)
    if not year:
        return {"raw": printed}
    parts = [int(year.group(1))]
    words = re.findall(r"[a-z]+", printed.lower())
    month = next((_MONTHS[word] for word in words if word in _MONTHS), None)
    if month:
        parts.append(month)
        day = _DAY.search(printed.replace(year.group(1), " "))
        if day:
            parts.append(int(day.group(1)))
    return {"date-parts": [parts], "raw": printed}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _first_name(value: Any) -> str:
    names = [_text(entry.get("name")) for entry in _objects(value)]
    return next((name for name in names if name), "")


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return " ".join(str(value).split())
    return ""

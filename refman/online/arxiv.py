"""Preprints by arXiv id from arXiv's API (an Atom feed), read with lxml.

One request asks for up to ``BATCH`` ids (``id_list``); the feed holds an ``entry`` for each id
arXiv has: its ``id`` (``http://arxiv.org/abs/1111.2011v2``), title, authors, first version's
date (``published``), abstract (``summary``), and, when the authors named them, the journal's
DOI (``arxiv:doi``) and reference. An id it does not have is left out. Each entry is turned
into a CSL-JSON item of type ``article`` (refman's preprint), which refman's CSL-JSON reader
imports: its URL is the abstract page, its number the arXiv id; its DOI is the journal's when
the feed names one, else arXiv's own DOI (``10.48550/arXiv.<id>``), so that the library finds
it again by either.

arXiv asks for at most one request every three seconds: ``Http.get(slow=True)`` keeps that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from refman.online.http import BadResponseError, Http
from refman.online.names import csl_name
from refman.online.pubmed import answer_gist

BATCH = 100  # ids in one request
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
ARXIV_DOI_PREFIX = "10.48550/arxiv."
_ABS_ID = re.compile(r"arxiv\.org/abs/(.+?)/?$", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")


@dataclass
class Preprints:
    """CSL-JSON bytes (one item each) by the id asked for, and the ids arXiv does not have."""

    items: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def base_id(arxiv_id: str) -> str:
    """An arXiv id without its version: ``1111.2011v2`` -> ``1111.2011``."""
    return _VERSION.sub("", arxiv_id)


def arxiv_doi(arxiv_id: str) -> str:
    """arXiv's own DOI of a preprint, lower case as refman compares DOIs."""
    return ARXIV_DOI_PREFIX + base_id(arxiv_id).lower()


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def fetch_arxiv(http: Http, ids: Sequence[str]) -> Preprints:
    """The preprints of up to ``BATCH`` arXiv ids (as refman.identifiers gives them, with or
    without a version). A failed request raises NetworkError; an answer that is not arXiv's
    Atom feed, BadResponseError."""
    what = f"arXiv {ids[0]}" if len(ids) == 1 else f"{len(ids)} arXiv ids"
    params = {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}
    body = http.get(http.settings.arxiv_url, params, what=what, slow=True).content
    entries = _entries(body, what)
    preprints = Preprints()
    for wanted in ids:
        entry = entries.get(wanted)
        if entry is None:
            entry = entries.get(base_id(wanted))
        if entry is None:
            preprints.missing.append(wanted)
        else:
            item = csl_item(entry)
            preprints.items[wanted] = json.dumps(item, ensure_ascii=False, indent=1).encode()
    return preprints


def _entries(body: bytes, what: str) -> dict[str, etree._Element]:
    """The feed's entries by arXiv id, each under its versioned and its plain id."""
    root = _feed(body, what)
    entries: dict[str, etree._Element] = {}
    for entry in root.iterfind(f"{ATOM}entry"):
        found = _ABS_ID.search(_text(entry, f"{ATOM}id"))
        if not found:
            if _text(entry, f"{ATOM}title") == "Error":  # arXiv's way of refusing an id
                reason = _text(entry, f"{ATOM}summary") or "no reason given"
                raise BadResponseError(f"arXiv refused {what}: {reason}")
            continue
        arxiv_id = found.group(1)
        entries.setdefault(arxiv_id, entry)
        entries.setdefault(base_id(arxiv_id), entry)
    return entries


def _feed(body: bytes, what: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root: etree._Element = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        gist = answer_gist(body)
        raise BadResponseError(
            f"arXiv's answer for {what} is not an Atom feed ({gist}); try again later"
        ) from exc
    if root.tag != f"{ATOM}feed":
        gist = answer_gist(body)
        raise BadResponseError(f"arXiv's answer for {what} is not an Atom feed ({gist})")
    return root


def csl_item(entry: etree._Element) -> dict[str, Any]:
    """A CSL-JSON item of type article (a preprint) for one entry of arXiv's feed."""
    found = _ABS_ID.search(_text(entry, f"{ATOM}id"))
    versioned = found.group(1) if found else ""
    plain = base_id(versioned)
    journal_doi = _text(entry, f"{ARXIV}doi").lower()
    item: dict[str, Any] = {
        "id": f"arxiv-{plain}",
        "type": "article",
        "title": _text(entry, f"{ATOM}title"),
        "author": [csl_name(_text(a, f"{ATOM}name")) for a in entry.iterfind(f"{ATOM}author")],
        "abstract": _text(entry, f"{ATOM}summary"),
        "publisher": "arXiv",
        "number": f"arXiv:{versioned}",
        "URL": abs_url(plain),
        "DOI": journal_doi or arxiv_doi(plain),
        "source": "arXiv.org",
    }
    item["author"] = [name for name in item["author"] if name]
    published = _text(entry, f"{ATOM}published")
    date = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if date:
        item["issued"] = {"date-parts": [[int(part) for part in date.groups()]]}
    journal_ref = _text(entry, f"{ARXIV}journal_ref")
    if journal_ref:
        item["note"] = f"Published as: {journal_ref}"
    return item


def _text(element: etree._Element, path: str) -> str:
    """An element's text with its line breaks and runs of spaces made single spaces."""
    return " ".join(element.findtext(path, default="").split())

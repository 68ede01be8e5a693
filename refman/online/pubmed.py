"""NCBI E-utilities: PubMed records by PMID (efetch, MEDLINE text) and PMIDs by DOI (esearch).

efetch gives MEDLINE text exactly as PubMed's "Send to: Citation manager" file, so refman's own
MEDLINE reader (refman.formats.medline) reads it, losslessly, with the record kept as the item's
source. Up to ``BATCH`` PMIDs go in one request, as NCBI asks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from refman.formats import medline
from refman.model import ParseError, Problem, Reference
from refman.online.http import BadResponseError, Http

BATCH = 200  # PMIDs in one efetch: NCBI's advice for GET requests


@dataclass
class Fetched:
    """What a fetch found: the references by the id asked for, the ids PubMed does not have,
    and the problems its reader reported in what came back."""

    references: dict[str, Reference] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def fetch_pmids(http: Http, pmids: Sequence[str]) -> Fetched:
    """The PubMed records of ``pmids`` (normalised PMIDs, see refman.identifiers), in batches.

    A PMID that PubMed does not return is in ``missing``; a failed request raises NetworkError.
    """
    fetched = Fetched()
    unique = list(dict.fromkeys(pmids))
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        refs = _efetch(http, batch, fetched.problems)
        for pmid in batch:
            if pmid in refs:
                fetched.references[pmid] = refs[pmid]
            else:
                fetched.missing.append(pmid)
    return fetched


def _efetch(http: Http, pmids: Sequence[str], problems: list[Problem]) -> dict[str, Reference]:
    body = efetch_text(http, pmids)
    return read_medline(body, problems)


def efetch_text(http: Http, pmids: Sequence[str]) -> bytes:
    """efetch's MEDLINE text for up to ``BATCH`` PMIDs, as PubMed sends it."""
    what = f"PMID {pmids[0]}" if len(pmids) == 1 else f"{len(pmids)} PMIDs"
    params = {"db": "pubmed", "id": ",".join(pmids), "rettype": "medline", "retmode": "text"}
    url = f"{http.settings.eutils_url.rstrip('/')}/efetch.fcgi"
    return http.get(url, http.eutils_params(params), what=what).content


def read_medline(body: bytes, problems: list[Problem]) -> dict[str, Reference]:
    """The references in efetch's MEDLINE text by PMID; none for a blank answer (PubMed has
    none of the PMIDs); BadResponseError when the answer is not MEDLINE text."""
    if not body.strip():
        return {}
    return {ref.pmid: ref for ref in _read_medline(body, problems)}


def _read_medline(body: bytes, problems: list[Problem]) -> Iterable[Reference]:
    try:
        return [
            ref
            for _line, ref in medline.read_numbered(
                io.BytesIO(body), name="PubMed's answer", on_problem=problems.append
            )
        ]
    except ParseError as exc:
        raise BadResponseError(
            f"PubMed's answer is not MEDLINE text ({answer_gist(body)}); try again later"
        ) from exc


def search_doi(http: Http, doi: str) -> str | None:
    """The PMID of the PubMed record with ``doi``, or None when PubMed has none (or several)."""
    ids = esearch(http, f'"{doi}"[AID]', what=f"DOI {doi}")
    return ids[0] if len(ids) == 1 else None


def esearch(http: Http, term: str, what: str, retmax: int = 20) -> list[str]:
    """The PMIDs esearch finds for ``term`` (PubMed's query syntax), at most ``retmax``."""
    url = f"{http.settings.eutils_url.rstrip('/')}/esearch.fcgi"
    params = {"db": "pubmed", "term": term, "retmax": str(retmax)}
    body = http.get(url, http.eutils_params(params), what=what).content
    root = _xml(body, "esearch")
    if root.tag != "eSearchResult":
        gist = answer_gist(body)
        raise BadResponseError(f"PubMed's search answer is not a search result ({gist})")
    error = root.findtext("ERROR")
    if error:
        raise BadResponseError(f"PubMed refused the search for {what}: {error.strip()}")
    return [(node.text or "").strip() for node in root.iterfind("IdList/Id")]


def _xml(body: bytes, what: str) -> etree._Element:
    """``body`` as XML, read with no network and no entities; BadResponseError if it is not."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root: etree._Element = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise BadResponseError(
            f"PubMed's {what} answer is not XML ({answer_gist(body)}); try again later"
        ) from exc
    return root


def json_object(body: bytes, whose: str, what: str, kind: str) -> dict[str, Any]:
    """The JSON object a service answered (``whose`` answer, for ``what``); BadResponseError in
    plain words when it is not JSON, or JSON but not an object (``kind`` says what it should
    have been: "a list of books")."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadResponseError(
            f"{whose} answer for {what} is not JSON ({answer_gist(body)}); try again later"
        ) from exc
    if not isinstance(answer, dict):
        raise BadResponseError(f"{whose} answer for {what} is not {kind}")
    return answer


def answer_gist(body: bytes) -> str:
    """What a wrong answer looks like, in a few words: the start of an HTML page, say."""
    text = body[:200].decode("utf-8", "replace").strip()
    if text[:100].lower().lstrip().startswith(("<!doctype html", "<html")):
        return "an HTML page"
    if not text:
        return "an empty answer"
    first = text.splitlines()[0][:60]
    return f"it begins {first!r}"

"""Search PubMed: esearch for a page of PMIDs, esummary for what to show of each (issue 14).

``search(http, query, retmax=, retstart=)`` sends the query to esearch exactly as the user
typed it (all of PubMed's syntax: fields, Boolean operators, MeSH, date ranges) and gives a
``SearchPage``: the hit count, the page's PMIDs, PubMed's translation of the query, and what
PubMed said about it (a phrase it found nowhere, a field it does not know) in plain words.
``summaries(http, pmids)`` gives a ``Summary`` (title, authors, journal, year, DOI) per PMID
from esummary's XML DocSums. A refusal (esearch's ``<ERROR>``) raises ``SearchError``; an
answer that is not XML, or is cut short, raises BadResponseError like every other source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from refman.online.http import BadResponseError, Http, NetworkError
from refman.online.pubmed import BATCH, _xml, answer_gist

# esearch gives at most the first 10,000 hits of a search (retstart + retmax within them).
MAX_REACHABLE = 10_000
MAX_PAGE = BATCH  # hits on one page: one esummary request


class SearchError(NetworkError):
    """PubMed refused the search (esearch's <ERROR>): the message says why, in its words."""


@dataclass(frozen=True)
class SearchPage:
    """One page of a PubMed search: ``count`` hits in all, ``pmids`` from ``start`` (0-based).

    ``errors`` and ``warnings`` are PubMed's remarks on the query in plain words (a phrase not
    found, a field it does not know, words it ignored); ``translation`` is the query as PubMed
    read it (its QueryTranslation)."""

    query: str
    count: int
    start: int
    pmids: list[str]
    translation: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """What a results list shows of one PubMed record (esummary's DocSum)."""

    pmid: str
    title: str = ""
    authors: tuple[str, ...] = ()
    journal: str = ""
    year: str = ""
    doi: str = ""

    @property
    def first_author(self) -> str:
        """"Smith J et al.", "Smith J" alone, or "" when the record names no author."""
        if not self.authors:
            return ""
        return self.authors[0] + (" et al." if len(self.authors) > 1 else "")


def search(http: Http, query: str, *, retmax: int = 20, retstart: int = 0) -> SearchPage:
    """The page of ``query``'s hits from ``retstart`` (0-based), at most ``retmax`` PMIDs."""
    _check_page(query, retmax, retstart)
    url = f"{http.settings.eutils_url.rstrip('/')}/esearch.fcgi"
    params = {
        "db": "pubmed",
        "term": query,  # as typed: PubMed reads its own syntax
        "retmax": str(retmax),
        "retstart": str(retstart),
        "retmode": "xml",
    }
    body = http.get(url, http.eutils_params(params), what="the search").content
    return read_search(body, query)


def _check_page(query: str, retmax: int, retstart: int) -> None:
    if not query.strip():
        raise SearchError("The search is empty: type what to look for in PubMed.")
    if not 1 <= retmax <= MAX_PAGE:
        raise SearchError(f"A page holds 1 to {MAX_PAGE} hits, not {retmax}.")
    if retstart < 0:
        raise SearchError("The first hit to show is hit 1 or later.")
    if retstart >= MAX_REACHABLE:
        raise SearchError(
            f"PubMed gives only the first {MAX_REACHABLE:,} hits of a search; "
            "narrow the query to reach the others."
        )


def read_search(body: bytes, query: str = "") -> SearchPage:
    """esearch's XML answer as a SearchPage; SearchError for its <ERROR>."""
    root = _xml(body, "search")
    if root.tag != "eSearchResult":
        raise BadResponseError(
            f"PubMed's search answer is not a search result ({answer_gist(body)}); try again"
        )
    error = (root.findtext("ERROR") or "").strip()
    if error:
        raise SearchError(f"PubMed refused the search: {error}")
    count = root.findtext("Count")
    if count is None or not count.strip().isdigit():
        raise BadResponseError("PubMed's search answer gives no count of hits; try again")
    return SearchPage(
        query=query,
        count=int(count),
        start=_int(root.findtext("RetStart")),
        pmids=[(node.text or "").strip() for node in root.iterfind("IdList/Id")],
        translation=(root.findtext("QueryTranslation") or "").strip(),
        errors=[_remark(node) for node in root.iterfind("ErrorList/*")],
        warnings=[_remark(node) for node in root.iterfind("WarningList/*")],
    )


# PubMed's names for what it says about a query, in words a user reads.
REMARKS = {
    "PhraseNotFound": 'PubMed found nothing for "{}"',
    "QuotedPhraseNotFound": 'PubMed found nothing for the phrase "{}"',
    "FieldNotFound": "PubMed has no search field [{}]",
    "PhraseIgnored": 'PubMed ignored "{}"',
    "OutputMessage": "{}",
}


def _remark(node: etree._Element) -> str:
    text = " ".join((node.text or "").split())
    template = REMARKS.get(str(node.tag))
    return template.format(text) if template else f"{node.tag}: {text}"


def _int(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def summaries(http: Http, pmids: Sequence[str]) -> dict[str, Summary]:
    """The summaries of ``pmids`` by PMID (esummary, ``BATCH`` a request); a PMID PubMed gives
    no summary for is left out."""
    found: dict[str, Summary] = {}
    unique = list(dict.fromkeys(pmids))
    url = f"{http.settings.eutils_url.rstrip('/')}/esummary.fcgi"
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml"}
        body = http.get(url, http.eutils_params(params), what="the hits' summaries").content
        found.update(read_summaries(body))
    return found


def read_summaries(body: bytes) -> dict[str, Summary]:
    """esummary's XML (DocSum, version 1) as summaries by PMID; BadResponseError when it is
    no summary, or only an <ERROR>."""
    root = _xml(body, "summary")
    if root.tag != "eSummaryResult":
        raise BadResponseError(
            f"PubMed's summary answer is not a summary ({answer_gist(body)}); try again"
        )
    docs = root.findall("DocSum")
    error = (root.findtext("ERROR") or "").strip()
    if error and not docs:
        raise BadResponseError(f"PubMed gave no summaries: {error}")
    return {summary.pmid: summary for summary in map(_summary, docs) if summary.pmid}


def _summary(doc: etree._Element) -> Summary:
    def item(name: str) -> str:
        return " ".join((doc.findtext(f"Item[@Name='{name}']") or "").split())

    authors = tuple(
        (node.text or "").strip()
        for node in doc.iterfind("Item[@Name='AuthorList']/Item[@Name='Author']")
        if (node.text or "").strip()
    )
    return Summary(
        pmid=(doc.findtext("Id") or "").strip(),
        title=item("Title"),
        authors=authors,
        journal=item("Source") or item("FullJournalName"),
        year=_year(item("PubDate") or item("EPubDate")),
        doi=_doi(doc, item("ELocationID")),
    )


def _year(date: str) -> str:
    match = re.match(r"\d{4}", date)
    return match.group() if match else ""


def _doi(doc: etree._Element, elocation: str) -> str:
    """The DOI in ArticleIds, else in ELocationID ("doi: 10.1/x")."""
    doi = (doc.findtext("Item[@Name='ArticleIds']/Item[@Name='doi']") or "").strip()
    if doi:
        return doi
    match = re.search(r"doi:\s*(10\.\S+)", elocation)
    return match.group(1) if match else ""

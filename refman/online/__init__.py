"""Records fetched over the network for "Add by identifier" (issue 14).

- http: ``Http``, the one HTTP client (httpx) with NCBI's rate limit, retries with back-off on
  429 and 5xx, timeouts, and errors in plain words (``OfflineError``, ``NotFoundError``,
  ``BadResponseError``, all ``NetworkError``, a RefmanError);
- pubmed: E-utilities: ``fetch_pmids`` (efetch, MEDLINE text, 200 PMIDs a request, read by
  refman's MEDLINE reader) and ``search_doi`` (esearch);
- doi: ``fetch_doi`` (PubMed first, else doi.org content negotiation for CSL-JSON, read by
  refman's CSL-JSON reader).
- pubmed_search: Search PubMed: ``search`` (esearch: count, a page of PMIDs, PubMed's reading
  of the query and its remarks) and ``summaries`` (esummary: title, authors, journal, year).

No Qt and no peewee here: the window runs these on its task runner, the command line directly.
Base URLs come from REFMAN_EUTILS_URL and REFMAN_DOI_URL, so tests drive a local server.
sources: ``fetch_sources``, identifiers to the answers library.adding imports.

Not done yet (issue 14): PMCID (NCBI's ID converter to a PMID or DOI), ISBN (a book metadata
service), arXiv (its Atom API); looking identifiers up in the library before fetching them
(today a record already there is fetched, then skipped as a duplicate by the import); the
user's email and API key from Preferences (today NCBI_API_KEY and refman's own email); the
window's Add by Identifier dialog on the task runner, with Cancel and a retry for offline ids.
"""

from refman.online.http import (
    BadResponseError,
    Http,
    NetworkError,
    NotFoundError,
    OfflineError,
    Settings,
)

__all__ = [
    "BadResponseError",
    "Http",
    "NetworkError",
    "NotFoundError",
    "OfflineError",
    "Settings",
]

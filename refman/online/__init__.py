"""Records fetched over the network for "Add by identifier" (issue 14).

- http: ``Http``, the one HTTP client (httpx) with NCBI's rate limit, retries with back-off on
  429 and 5xx, timeouts, and errors in plain words (``OfflineError``, ``NotFoundError``,
  ``BadResponseError``, all ``NetworkError``, a RefmanError);
- pubmed: E-utilities: ``fetch_pmids`` (efetch, MEDLINE text, 200 PMIDs a request, read by
  refman's MEDLINE reader) and ``search_doi`` (esearch);
- doi: ``fetch_doi`` (PubMed first, else doi.org content negotiation for CSL-JSON, read by
  refman's CSL-JSON reader).

No Qt and no peewee here: the window runs these on its task runner, the command line directly.
Base URLs come from REFMAN_EUTILS_URL and REFMAN_DOI_URL, so tests drive a local server.
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

"""Records fetched over the network for "Add by identifier" (issue 14).

- http: ``Http``, the one HTTP client (httpx) with NCBI's rate limit, retries with back-off on
  429 and 5xx, timeouts, and errors in plain words (``OfflineError``, ``NotFoundError``,
  ``BadResponseError``, all ``NetworkError``, a RefmanError);
- pubmed: E-utilities: ``fetch_pmids`` (efetch, MEDLINE text, 200 PMIDs a request, read by
  refman's MEDLINE reader) and ``search_doi`` (esearch);
- doi: ``fetch_doi`` (PubMed first, else doi.org content negotiation for CSL-JSON, read by
  refman's CSL-JSON reader);
- pmc: ``convert``, PMCIDs to PMIDs and DOIs through NCBI's PMC ID Converter (JSON);
- books: ``fetch_isbns``, books from Open Library's Books API, made CSL-JSON items;
- arxiv: ``fetch_arxiv``, preprints from arXiv's Atom API (paced to one request in 3 s), made
  CSL-JSON items;
- sources: ``fetch_sources``, identifiers to the answers library.adding imports, with progress
  and cancel between requests;
- pubmed_search: Search PubMed: ``search`` (esearch: count, a page of PMIDs, PubMed's reading
  of the query and its remarks) and ``summaries`` (esummary: title, authors, journal, year).
- fulltext: ``find_pdf``, Find Available PDF: an article's open-access PDF from PubMed Central's
  OA service (its PDF, or the PDF in its package), else Unpaywall's locations, downloaded
  (``Http.download``: streamed, size-capped) and checked as a PDF.

No Qt and no peewee here: the window runs these on its task runner, the command line directly.
Base URLs come from REFMAN_EUTILS_URL, REFMAN_DOI_URL, REFMAN_IDCONV_URL,
REFMAN_OPENLIBRARY_URL, REFMAN_ARXIV_URL, REFMAN_PMC_OA_URL, REFMAN_NCBI_FTP_URL and
REFMAN_UNPAYWALL_URL, so tests drive a local server.
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

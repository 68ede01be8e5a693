"""Find Available PDF: an article's open-access PDF, from PubMed Central, else through Unpaywall.

``find_pdf(http, article, folder)`` looks in this order and gives the first PDF that is one:

1. PubMed Central. An article without a PMCID is looked up by its PMID or DOI in the PMC ID
   Converter (pmc.pmcid_of). PMC's OA web service (``oa.fcgi?id=PMC...``) answers with the
   article's files in the open-access subset: ``<link format="pdf">`` and ``format="tgz"`` (a
   package of the article's XML, figures and, often, its PDF), or ``<error code=
   "idIsNotOpenAccess">``. Its links are ``ftp://ftp.ncbi.nlm.nih.gov/pub/pmc/...``; the same
   host serves them over HTTPS (``Settings.ncbi_ftp_url``), and since April 2026 NCBI keeps
   the older files under ``/pub/pmc/deprecated/``, which is tried when the first path is gone.
   A package is opened here, never unpacked to disk: its PDF (the article's, not a
   supplement's) is copied out alone.
2. Unpaywall, for an article with a DOI: ``/v2/DOI?email=...``; its ``best_oa_location``'s
   ``url_for_pdf`` first, then the other ``oa_locations``' ones. A location with a landing page
   only (a web page to read the article on) has nothing to download.

Every file is downloaded with the one client (``Http.download``: NCBI's pace, a timeout, a
size cap), and kept only when it is a PDF: it begins with ``%PDF-`` (a web page, an error page
or anything else is told as such) and PDFium opens it (refman.pdf.read_pdf, in a child
process). When nothing is found, ``NoPdfError`` says why for each place looked in.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from refman.model import RefmanError
from refman.online import pmc
from refman.online.http import (
    TOOL,
    BadResponseError,
    DownloadCancelled,
    Http,
    NetworkError,
    NotFoundError,
    OfflineError,
)
from refman.online.pubmed import answer_gist, json_object
from refman.pdf import PdfError, read_pdf

PMC = "PubMed Central"
MAX_PDF = 200_000_000  # bytes: a scanned book is smaller; anything larger is not an article
MAX_PACKAGE = 500_000_000  # a PMC package holds the figures and supplements too
HEADER_WINDOW = 1024  # "%PDF-" may follow a little junk, as refman.pdf allows
NCBI_FTP = "ftp://ftp.ncbi.nlm.nih.gov"
PMC_FILES = "/pub/pmc/"
DEPRECATED = "/pub/pmc/deprecated/"
# Names of a package's PDFs that are not the article: supplements and media files.
SUPPLEMENT = re.compile(r"supp|media-\d|mmc\d|_esm|appendix", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._()+-]+")

Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class Article:
    """The identifiers an item has to look with (any may be "")."""

    pmcid: str = ""
    pmid: str = ""
    doi: str = ""


@dataclass(frozen=True)
class Found:
    """A PDF found and checked: where it was written, whence it came ("PubMed Central",
    "Unpaywall (arxiv.org)") and its address."""

    path: Path
    source: str
    url: str


class NoPdfError(RefmanError):
    """No PDF was found; ``reasons`` says why for each place looked in, ``offline`` whether a
    service could not be reached at all (worth trying again later)."""

    def __init__(self, reasons: list[str], offline: bool = False):
        self.reasons = reasons or ["no PMCID, PMID or DOI to look for it with"]
        self.offline = offline
        super().__init__("; ".join(self.reasons))


class _NotAPdf(RefmanError):
    """A file downloaded is not a PDF that opens; the message says what it was."""


@dataclass
class _Search:
    """One article's search: the client, where files go, why each place gave nothing."""

    http: Http
    folder: Path
    cancelled: Cancelled | None
    reasons: list[str]
    offline: bool = False

    def failed(self, reason: str, exc: Exception | None = None) -> None:
        self.reasons.append(reason)
        self.offline = self.offline or isinstance(exc, OfflineError)


def find_pdf(
    http: Http, article: Article, folder: Path, cancelled: Cancelled | None = None
) -> Found:
    """The article's open-access PDF, written into ``folder`` (see the module's docstring).
    NoPdfError says why there is none; DownloadCancelled when ``cancelled()`` turned true."""
    search = _Search(http, folder, cancelled, [])
    found = _from_pmc(search, article) or _from_unpaywall(search, article)
    if found is None:
        raise NoPdfError(search.reasons, search.offline)
    return found


# --- PubMed Central -----------------------------------------------------------------------------


def _from_pmc(search: _Search, article: Article) -> Found | None:
    pmcid = article.pmcid.upper() or _pmcid(search, article)
    if not pmcid:
        return None
    try:
        links = oa_links(search.http, pmcid)
    except NetworkError as exc:
        search.failed(f"{PMC}: {exc}", exc)
        return None
    except _NotAPdf as exc:  # the service's own "not open access" and kin
        search.failed(str(exc))
        return None
    pdfs = [url for kind, url in links if kind == "pdf"]
    packages = [url for kind, url in links if kind == "tgz"]
    for url in pdfs:
        found = _try_pdf(search, url, _file_name(url, f"{pmcid}.pdf"), PMC, PMC)
        if found:
            return found
    for url in packages:
        found = _try_package(search, url, pmcid)
        if found:
            return found
    if not links:
        search.failed(f"{PMC} lists no file of {pmcid}")
    return None


def _pmcid(search: _Search, article: Article) -> str:
    """The PMCID of an article known by its PMID or DOI, "" when PMC does not hold it."""
    identifier = f"PMID {article.pmid}" if article.pmid else f"DOI {article.doi}"
    if not (article.pmid or article.doi):
        return ""
    try:
        pmcid = pmc.pmcid_of(search.http, article.pmid or article.doi)
    except NetworkError as exc:
        search.failed(f"{PMC}: {exc}", exc)
        return ""
    if not pmcid:
        search.failed(f"{PMC} does not hold {identifier}")
    return pmcid


def oa_links(http: Http, pmcid: str) -> list[tuple[str, str]]:
    """The (format, https URL) of each file PMC's OA web service lists for ``pmcid``, in the
    order given. _NotAPdf when the service says the article is not in the open-access subset
    (or not in PMC); NetworkError when the request fails or the answer is not its XML."""
    params = {"id": pmcid, "tool": TOOL, "email": http.settings.email}
    body = http.get(http.settings.pmc_oa_url, params, what=pmcid).content
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise BadResponseError(
            f"the answer of {PMC}'s OA service for {pmcid} is not its XML ({answer_gist(body)})"
        ) from exc
    if root.tag != "OA":
        raise BadResponseError(f"the answer of {PMC}'s OA service for {pmcid} is not its XML")
    error = root.find("error")
    if error is not None:
        raise _NotAPdf(_oa_refusal(pmcid, error.get("code", ""), (error.text or "").strip()))
    return [
        (link.get("format", ""), https_url(link.get("href", ""), http.settings.ncbi_ftp_url))
        for link in root.iterfind("records/record/link")
        if link.get("href")
    ]


def _oa_refusal(pmcid: str, code: str, text: str) -> str:
    if code == "idIsNotOpenAccess":
        return f"{PMC} has {pmcid}, but not in its open-access subset (no PDF to download)"
    if code == "idDoesNotExist":
        return f"{PMC} does not know {pmcid}"
    return f"{PMC}'s OA service refused {pmcid}: {text or code or 'no reason given'}"


def https_url(url: str, ncbi_ftp_url: str) -> str:
    """An OA service link as fetched: ftp://ftp.ncbi.nlm.nih.gov/... from ``ncbi_ftp_url``
    (NCBI serves the same files over HTTPS), any other ftp:// over https://."""
    if url.startswith(NCBI_FTP):
        return ncbi_ftp_url.rstrip("/") + url[len(NCBI_FTP) :]
    if url.startswith("ftp://"):
        return "https://" + url[len("ftp://") :]
    return url


def _moved(url: str, ncbi_ftp_url: str) -> str:
    """Where NCBI keeps a PMC file since April 2026 (/pub/pmc/deprecated/...), "" for a file
    of another server or one already there."""
    base = ncbi_ftp_url.rstrip("/")
    path = url[len(base) :] if url.startswith(base + "/") else ""
    if not path.startswith(PMC_FILES) or path.startswith(DEPRECATED):
        return ""
    return base + DEPRECATED + path[len(PMC_FILES) :]


def _try_package(search: _Search, url: str, pmcid: str) -> Found | None:
    """The article's PDF from PMC's package of it (a .tar.gz), or None and why."""
    package = search.folder / f"{pmcid}.tar.gz"
    try:
        url = _download(search, url, package, MAX_PACKAGE, "the package")
        path = _pdf_in_package(package, search.folder, pmcid)
        check_pdf(path, _host(url))
    except DownloadCancelled:
        raise
    except (NetworkError, _NotAPdf) as exc:
        search.failed(f"{PMC}: {exc}", exc)
        return None
    finally:
        package.unlink(missing_ok=True)
    return Found(path, PMC, url)


def _pdf_in_package(package: Path, folder: Path, pmcid: str) -> Path:
    """The article's PDF copied out of the package (never unpacked: a name in it could point
    anywhere); _NotAPdf when it holds none or cannot be read."""
    try:
        with tarfile.open(package, "r:*") as tar:
            pdfs = [m for m in tar.getmembers() if m.isfile() and m.name.lower().endswith(".pdf")]
            if not pdfs:
                raise _NotAPdf(f"the package of {pmcid} holds no PDF (only its text and figures)")
            member = _article_pdf(pdfs)
            if member.size > MAX_PDF:
                raise _NotAPdf(f"the PDF in the package of {pmcid} is too large")
            target = folder / _safe(PurePosixPath(member.name).name, f"{pmcid}.pdf")
            source = tar.extractfile(member)
            if source is None:
                raise _NotAPdf(f"the PDF in the package of {pmcid} cannot be read")
            with source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _NotAPdf(f"the package of {pmcid} is damaged or not a package ({exc})") from None
    return target


def _article_pdf(pdfs: list[tarfile.TarInfo]) -> tarfile.TarInfo:
    """The article among a package's PDFs: not a supplement's, the largest of those left."""
    articles = [m for m in pdfs if not SUPPLEMENT.search(PurePosixPath(m.name).name)]
    return max(articles or pdfs, key=lambda m: m.size)


# --- Unpaywall ----------------------------------------------------------------------------------


def _from_unpaywall(search: _Search, article: Article) -> Found | None:
    if not article.doi:
        return None
    doi = article.doi
    url = f"{search.http.settings.unpaywall_url.rstrip('/')}/{quote(doi, safe='/()<>;:')}"
    try:
        body = search.http.get(url, {"email": search.http.settings.email}, what=f"DOI {doi}")
        answer = json_object(body.content, "Unpaywall's", f"DOI {doi}", "a record")
    except NotFoundError:
        search.failed(f"Unpaywall does not know DOI {doi}")
        return None
    except NetworkError as exc:
        search.failed(f"Unpaywall: {exc}", exc)
        return None
    pdfs = pdf_locations(answer)
    if not pdfs:
        search.failed(_no_location(answer, doi))
        return None
    name = _safe(doi.replace("/", "_") + ".pdf", "article.pdf")
    for pdf in pdfs:
        source = f"Unpaywall ({_host(pdf)})"
        found = _try_pdf(search, pdf, _file_name(pdf, name), source, "Unpaywall")
        if found:
            return found
    return None


def pdf_locations(answer: dict[str, Any]) -> list[str]:
    """The PDF addresses of an Unpaywall record: the best location's first, then the other
    open-access locations' in their order, each once."""
    locations = [answer.get("best_oa_location"), *(answer.get("oa_locations") or [])]
    urls = [loc.get("url_for_pdf") for loc in locations if isinstance(loc, dict)]
    return list(dict.fromkeys(url for url in urls if isinstance(url, str) and url.strip()))


def _no_location(answer: dict[str, Any], doi: str) -> str:
    pages = [loc for loc in answer.get("oa_locations") or [] if isinstance(loc, dict)]
    if pages:
        return (
            f"Unpaywall knows only web pages to read DOI {doi} on, no PDF to download"
            f" ({pages[0].get('url_for_landing_page') or pages[0].get('url')})"
        )
    return f"Unpaywall knows no open-access copy of DOI {doi}"


# --- downloads ----------------------------------------------------------------------------------


def _try_pdf(search: _Search, url: str, name: str, source: str, where: str) -> Found | None:
    """The PDF at ``url`` written to the folder and checked, or None and why."""
    path = search.folder / name
    try:
        url = _download(search, url, path, MAX_PDF, "the PDF")
        check_pdf(path, _host(url))
    except DownloadCancelled:
        raise
    except (NetworkError, _NotAPdf) as exc:
        path.unlink(missing_ok=True)
        search.failed(f"{where}: {exc}", exc)
        return None
    return Found(path, source, url)


def _download(search: _Search, url: str, path: Path, limit: int, what: str) -> str:
    """Download ``url`` to ``path``; a PMC file gone from its first place is fetched from
    where NCBI moved it. The address it came from."""
    moved = _moved(url, search.http.settings.ncbi_ftp_url)
    for address in [url, moved] if moved else [url]:
        try:
            with path.open("w+b") as file:
                search.http.download(
                    address, file, limit=limit, what=what, cancelled=search.cancelled
                )
            return address
        except NotFoundError:
            if address == url and moved:
                continue  # perhaps moved: try where NCBI keeps it now
            raise NotFoundError(f"{_host(url)} has no file at {url} (404)") from None
    raise AssertionError("unreachable")  # the loop returns or raises


def check_pdf(path: Path, host: str) -> None:
    """_NotAPdf, in plain words, unless the file at ``path`` is a PDF that PDFium opens."""
    with path.open("rb") as file:
        head = file.read(HEADER_WINDOW)
    if b"%PDF-" not in head:
        gist = answer_gist(head)
        if gist == "an HTML page":
            raise _NotAPdf(
                f"{host} gave a web page, not a PDF (a page to read the article on, or a login)"
            )
        raise _NotAPdf(f"{host} gave a file that is not a PDF ({gist})")
    try:
        read_pdf(path, max_pages=1)
    except PdfError as exc:
        raise _NotAPdf(f"the PDF from {host} cannot be used: {exc}") from None


def _file_name(url: str, fallback: str) -> str:
    """The name a downloaded PDF is kept under: the address's own when it ends in .pdf."""
    last = PurePosixPath(urlsplit(url).path).name
    return _safe(last, fallback) if last.lower().endswith(".pdf") else fallback


def _safe(name: str, fallback: str) -> str:
    """``name`` with only plain characters (a file name from a server or a package)."""
    cleaned = _UNSAFE.sub("_", name).strip("._")
    return cleaned if cleaned.lower().endswith(".pdf") and len(cleaned) > 4 else fallback


def _host(url: str) -> str:
    return urlsplit(url).hostname or url

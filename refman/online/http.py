"""The HTTP client of refman's network sources: httpx, rate limited, retried, in plain words.

``Http.get`` sends one GET and gives the response body, or raises a ``NetworkError`` whose
message a user can act on: offline (no connection, a timeout), not found (404), or a bad
response (an error page, a body cut short). 429 and 5xx answers and timeouts are retried with
a growing pause (a 429's Retry-After is honoured, capped), because NCBI answers them under load.

NCBI asks for at most 3 requests a second without an API key and 10 with one: ``Http`` spaces
the requests it sends to one host by that much, across threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, TypeVar

import httpx

from refman import __version__
from refman.model import RefmanError

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
DOI_URL = "https://doi.org"
IDCONV_URL = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
OPENLIBRARY_URL = "https://openlibrary.org"
ARXIV_URL = "https://export.arxiv.org/api/query"
PMC_OA_URL = "https://www.ncbi.nlm.nih.gov/pmc/utils/oa/oa.fcgi"
UNPAYWALL_URL = "https://api.unpaywall.org/v2"
# PMC's open-access files: the OA service names them ftp://ftp.ncbi.nlm.nih.gov/pub/pmc/...,
# and the same host serves them over HTTPS.
NCBI_FTP_URL = "https://ftp.ncbi.nlm.nih.gov"
ARXIV_INTERVAL = 3.0  # seconds between requests: arXiv's terms of use ask for no more
TOOL = "refman"
# NCBI's E-utilities ask for an email to write to when a tool misbehaves; refman's own until
# Preferences (or REFMAN_EMAIL) gives the user's own.
EMAIL = "refman@users.noreply.github.com"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is not waited for, it is an error


class NetworkError(RefmanError):
    """A record could not be fetched; the message says why in plain words."""


class OfflineError(NetworkError):
    """No answer: no connection, the name does not resolve, or the server timed out."""


class NotFoundError(NetworkError):
    """The server answered that it has no such record."""


class BadResponseError(NetworkError):
    """An answer that is not what was asked for: an error page, HTML, a body cut short."""


class DownloadCancelled(NetworkError):
    """The user stopped a download (``Http.download``'s ``cancelled``)."""


@dataclass(frozen=True)
class Settings:
    """Where and how fast to ask. ``from_environment`` reads REFMAN_EUTILS_URL, REFMAN_DOI_URL,
    REFMAN_IDCONV_URL, REFMAN_OPENLIBRARY_URL, REFMAN_ARXIV_URL, REFMAN_PMC_OA_URL,
    REFMAN_UNPAYWALL_URL, REFMAN_NCBI_FTP_URL and NCBI_API_KEY; tests make their own with short
    pauses."""

    eutils_url: str = EUTILS_URL
    doi_url: str = DOI_URL
    idconv_url: str = IDCONV_URL  # NCBI's PMC ID Converter (PMCID -> PMID, DOI)
    openlibrary_url: str = OPENLIBRARY_URL  # books by ISBN
    arxiv_url: str = ARXIV_URL  # arXiv's API (Atom)
    arxiv_interval: float = ARXIV_INTERVAL
    pmc_oa_url: str = PMC_OA_URL  # PubMed Central's OA web service (Find Available PDF)
    unpaywall_url: str = UNPAYWALL_URL  # Unpaywall's open-access locations by DOI
    ncbi_ftp_url: str = NCBI_FTP_URL  # where PMC's ftp:// links are fetched over HTTPS
    api_key: str = ""
    email: str = EMAIL
    timeout: float = 20.0  # seconds for each of connect, read, write
    attempts: int = 4  # tries of one request, the first included
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    extra_params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, *, email: str = "", api_key: str = "") -> Settings:
        """The environment's settings; a non-empty ``email`` or ``api_key`` (the window's
        Preferences) wins over REFMAN_EMAIL and NCBI_API_KEY."""
        return cls(
            eutils_url=os.environ.get("REFMAN_EUTILS_URL") or EUTILS_URL,
            doi_url=os.environ.get("REFMAN_DOI_URL") or DOI_URL,
            idconv_url=os.environ.get("REFMAN_IDCONV_URL") or IDCONV_URL,
            openlibrary_url=os.environ.get("REFMAN_OPENLIBRARY_URL") or OPENLIBRARY_URL,
            arxiv_url=os.environ.get("REFMAN_ARXIV_URL") or ARXIV_URL,
            pmc_oa_url=os.environ.get("REFMAN_PMC_OA_URL") or PMC_OA_URL,
            unpaywall_url=os.environ.get("REFMAN_UNPAYWALL_URL") or UNPAYWALL_URL,
            ncbi_ftp_url=os.environ.get("REFMAN_NCBI_FTP_URL") or NCBI_FTP_URL,
            api_key=api_key.strip() or os.environ.get("NCBI_API_KEY", ""),
            email=email.strip() or os.environ.get("REFMAN_EMAIL") or EMAIL,
        )

    @property
    def requests_per_second(self) -> float:
        return 10.0 if self.api_key else 3.0


_T = TypeVar("_T")


class _Retry(Exception):
    """An answer that asks to be asked again (429, 5xx), after ``after`` seconds if it says."""

    def __init__(self, after: float | None):
        super().__init__(after)
        self.after = after


class _Pacer:
    """Spaces calls of ``wait`` at least ``interval`` seconds apart, across threads."""

    def __init__(self, interval: float):
        self.interval = interval
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class Http:
    """One client for all of refman's requests (close it, or use it in a ``with``)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_environment()
        self._pacer = _Pacer(1.0 / self.settings.requests_per_second)
        self._arxiv_pacer = _Pacer(self.settings.arxiv_interval)
        self._client = httpx.Client(
            timeout=self.settings.timeout,
            follow_redirects=True,  # doi.org redirects to the registration agency
            headers={"User-Agent": f"refman/{__version__} (mailto:{self.settings.email})"},
        )

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def eutils_params(self, params: Mapping[str, str]) -> dict[str, str]:
        """``params`` with the tool, email and API key NCBI asks every request to carry."""
        full = {**params, "tool": TOOL, "email": self.settings.email}
        if self.settings.api_key:
            full["api_key"] = self.settings.api_key
        return full

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str = "the record",
        slow: bool = False,
    ) -> httpx.Response:
        """The answer to a GET of ``url`` (status 200), retried on 429, 5xx and timeouts.

        ``what`` names what was asked for in the messages ("PMID 123"); ``slow``: space the
        requests by ``arxiv_interval`` (arXiv's pace) instead of NCBI's."""
        pacer = self._arxiv_pacer if slow else self._pacer

        def send(attempt: int) -> httpx.Response:
            response = self._client.get(url, params=params, headers=headers)
            response.read()
            self._retry_on(response, attempt)
            return _checked(response, url, what)

        cut_short = f"the answer from {_host(url)} for {what} was cut short; try again"
        return self._with_retries(send, pacer, url, what, cut_short)

    def download(
        self,
        url: str,
        target: BinaryIO,
        *,
        limit: int,
        what: str = "the file",
        cancelled: Callable[[], bool] | None = None,
    ) -> str:
        """Write the body of a GET of ``url`` (status 200) to ``target``, streamed, and give
        the answer's Content-Type. Retried as ``get`` is; a body larger than ``limit`` bytes
        is refused (BadResponseError) as soon as it is seen to be, so that a huge file is never
        read whole; ``cancelled`` is asked between blocks (DownloadCancelled)."""

        def send(attempt: int) -> str:
            target.seek(0)
            target.truncate()
            with self._client.stream("GET", url) as response:
                self._retry_on(response, attempt)
                _checked(response, url, what)
                _copy_body(response, target, limit, what, cancelled)
                return response.headers.get("Content-Type", "")

        cut_short = f"the download of {what} from {_host(url)} was cut short; try again"
        return self._with_retries(send, self._pacer, url, what, cut_short)

    def _with_retries(
        self, send: Callable[[int], _T], pacer: _Pacer, url: str, what: str, cut_short: str
    ) -> _T:
        """``send(attempt)`` paced, again after a pause on a timeout or an answer that asks
        for a retry (``_Retry``) while attempts are left; network failures in plain words."""
        attempt = 0
        while True:
            attempt += 1
            pacer.wait()
            try:
                return send(attempt)
            except _Retry as retry:
                self._pause(attempt, retry.after)
            except httpx.TimeoutException as exc:
                if attempt >= self.settings.attempts:
                    raise OfflineError(f"{_host(url)} did not answer in time for {what}") from exc
                self._pause(attempt, None)
            except httpx.RemoteProtocolError as exc:
                raise BadResponseError(cut_short) from exc
            except httpx.TransportError as exc:
                raise OfflineError(
                    f"cannot reach {_host(url)} for {what}: are you offline? ({exc})"
                ) from exc

    def _retry_on(self, response: httpx.Response, attempt: int) -> None:
        """Raise ``_Retry`` when the answer asks to try again (429, 5xx) and attempts are left,
        unless it asks to wait longer than MAX_RETRY_AFTER (then the answer is told)."""
        if response.status_code in RETRY_STATUSES and attempt < self.settings.attempts:
            retry_after = _retry_after(response)
            if retry_after is None or retry_after <= MAX_RETRY_AFTER:
                raise _Retry(retry_after)

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        delay = self.settings.backoff * 2 ** (attempt - 1)
        time.sleep(max(delay, retry_after or 0.0))


def _checked(response: httpx.Response, url: str, what: str) -> httpx.Response:
    status = response.status_code
    if status == 200:
        return response
    host = _host(url)
    if status == 404:
        raise NotFoundError(f"{host} has no {what}")
    if status == 429:
        raise BadResponseError(f"{host} asks refman to slow down (too many requests); try later")
    if status >= 500:
        raise BadResponseError(f"{host} has a problem of its own (HTTP {status}); try later")
    raise BadResponseError(f"{host} refused the request for {what} (HTTP {status})")


def _copy_body(
    response: httpx.Response,
    target: BinaryIO,
    limit: int,
    what: str,
    cancelled: Callable[[], bool] | None,
) -> None:
    """The streamed body into ``target``, refused past ``limit`` bytes (by its announced
    length first: a server may say it at once)."""
    too_large = BadResponseError(
        f"{what} from {_host(str(response.url))} is larger than {limit // 1_000_000} MB:"
        " not downloaded"
    )
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > limit:
        raise too_large
    size = 0
    for block in response.iter_bytes(1 << 16):
        if cancelled and cancelled():
            raise DownloadCancelled(f"the download of {what} was cancelled")
        size += len(block)
        if size > limit:
            raise too_large
        target.write(block)
    target.flush()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _host(url: str) -> str:
    return httpx.URL(url).host or url

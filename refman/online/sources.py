"""Identifiers to the answers that hold their records, ready for the library's import path.

``fetch_sources`` asks PubMed (PMIDs, in batches; DOIs that PubMed has), doi.org (other DOIs),
NCBI's PMC ID Converter (PMCIDs, to a PMID or else a DOI, then fetched as those), Open Library
(ISBNs) and arXiv (arXiv ids, and DOIs ``10.48550/arXiv.*``), and gives each answer as a
``Source``: a name for the import's report, the key of the format refman reads it with
(refman.formats), and the bytes (as sent, or for books and preprints the CSL-JSON item made of
the answer). The import then reads them like files, so the records keep their source and
duplicates are found as in any import. Identifiers that could not be fetched are ``Failed``,
with why in plain words; ``offline`` when the source could not be reached.

Progress counts requests (``progress(done, total)``; the total grows when PMCIDs turn into
PMIDs); ``cancelled()`` is asked before each request, and a cancelled fetch stops there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from refman.identifiers import ARXIV, DOI, ISBN, PMCID, PMID, Identifier
from refman.model import Problem
from refman.online import arxiv, books, pmc
from refman.online.doi import csl_json_answer
from refman.online.http import Http, NetworkError, OfflineError
from refman.online.pubmed import BATCH, efetch_text, read_medline, search_doi

_T = TypeVar("_T")

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
# An old-style arXiv id in a DOI, lower-cased as refman keeps DOIs: "math.gt/0309136".
_OLD_ARXIV = re.compile(r"^([a-z-]+)\.([a-z]{2})/(\d{7})(v\d+)?$")

@dataclass(frozen=True)
class Source:
    """One answer to import: its name in the report, its format's key and its bytes."""

    name: str
    format_key: str
    body: bytes


@dataclass(frozen=True)
class Failed:
    """An identifier (as the user gave it) that brought no record, and why. ``offline``: the
    source could not be reached (no connection, no answer in time), so trying again later may
    bring it; the window keeps such ids for Try Again, the command line prints them."""

    text: str
    reason: str
    offline: bool = False




@dataclass
class Fetched:
    sources: list[Source] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    cancelled: bool = False  # stopped by the user before every request was made


class _Run:
    """One fetch: what it brought so far, and its requests counted for ``progress``."""

    def __init__(self, http: Http, progress: Progress | None, cancelled: Cancelled | None):
        self.http = http
        self.fetched = Fetched()
        self.done = 0
        self.total = 0
        self._progress = progress
        self._cancelled = cancelled

    def go_on(self) -> bool:
        """Whether to make the next request: False once the user cancelled."""
        if not self.fetched.cancelled and self._cancelled is not None and self._cancelled():
            self.fetched.cancelled = True
        return not self.fetched.cancelled

    def plan(self, requests: int) -> None:
        self.total += requests
        self._report()

    def step(self) -> None:
        self.done += 1
        self._report()

    def _report(self) -> None:
        if self._progress is not None:
            self._progress(self.done, max(self.total, self.done))

    def fail(self, text: str, reason: str) -> None:
        self.fetched.failed.append(Failed(text, reason))

    def failed(self, text: str, exc: NetworkError) -> None:
        self.fetched.failed.append(_failed(text, exc))


def fetch_sources(
    http: Http,
    identifiers: Sequence[Identifier],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Fetched:
    """The answers holding the records of ``identifiers``; each one that failed, with why."""
    run = _Run(http, progress, cancelled)
    pmids: dict[str, Identifier] = {}
    dois: list[Identifier] = []
    by_kind: dict[str, list[Identifier]] = {PMCID: [], ISBN: [], ARXIV: []}
    for ident in identifiers:
        if ident.kind == PMID:
            pmids.setdefault(ident.value, ident)
        elif ident.kind == DOI and ident.value.startswith(arxiv.ARXIV_DOI_PREFIX):
            by_kind[ARXIV].append(ident)
        elif ident.kind == DOI:
            dois.append(ident)
        else:
            by_kind[ident.kind].append(ident)
    run.plan(
        _batches(by_kind[PMCID], pmc.BATCH)
        + len(dois)
        + _batches(by_kind[ISBN], books.BATCH)
        + _batches(by_kind[ARXIV], arxiv.BATCH)
    )
    _pmcids(run, by_kind[PMCID], pmids, dois)
    for ident in dois:
        if not run.go_on():
            break
        _doi(run, ident, pmids)
        run.step()
    _isbns(run, by_kind[ISBN])
    _arxiv_ids(run, by_kind[ARXIV])
    run.plan(_batches(list(pmids), BATCH))
    _pmids(run, pmids)
    return run.fetched


def _batches(items: Sequence[object], size: int) -> int:
    return -(-len(items) // size)


def _chunks(items: Sequence[Identifier], size: int) -> Iterator[Sequence[Identifier]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fetched(
    run: _Run,
    idents: Sequence[Identifier],
    size: int,
    fetch: Callable[[list[str]], _T],
    value: Callable[[Identifier], str] = lambda ident: ident.value,
) -> Iterator[tuple[Sequence[Identifier], _T]]:
    """Each batch of ``size`` identifiers with what ``fetch`` answered for their values; a
    batch whose request failed has each of its identifiers failed with why, and is skipped.
    Stops when the user cancels; each request is a step of the progress."""
    for batch in _chunks(idents, size):
        if not run.go_on():
            return
        try:
            answer = fetch([value(ident) for ident in batch])
        except NetworkError as exc:
            for ident in batch:
                run.failed(ident.text, exc)
            continue
        finally:
            run.step()
        yield batch, answer


def _pmcids(
    run: _Run, idents: Sequence[Identifier], pmids: dict[str, Identifier], dois: list[Identifier]
) -> None:
    """PMCIDs through the PMC ID Converter: one with a PMID joins the PubMed batch, one with a
    DOI alone is fetched by its DOI (added to ``dois``), one with neither fails."""
    convert = partial(pmc.convert, run.http)
    for batch, conversions in _fetched(run, idents, pmc.BATCH, convert):
        for ident in batch:
            found = conversions[ident.value]
            if found.pmid:
                pmids.setdefault(found.pmid, ident)
            elif found.doi:
                dois.append(Identifier(DOI, found.doi, ident.text))
                run.plan(1)
            else:
                reason = found.error or (
                    f"PMC names no PMID or DOI for {ident.value}: nowhere to fetch it from"
                )
                run.fail(ident.text, reason)


def _doi(run: _Run, ident: Identifier, pmids: dict[str, Identifier]) -> None:
    """A DOI: its PMID joins the PubMed batch when PubMed has it, else doi.org's CSL-JSON."""
    try:
        pmid = search_doi(run.http, ident.value)
        if pmid is not None:
            pmids.setdefault(pmid, ident)
            return
        body, _ref = csl_json_answer(run.http, ident.value)
    except NetworkError as exc:
        run.failed(ident.text, exc)
        return
    run.fetched.sources.append(Source(f"doi.org {ident.value}", "csl-json", body))


def _isbns(run: _Run, idents: Sequence[Identifier]) -> None:
    """Books from Open Library, ``books.BATCH`` ISBNs a request."""
    fetch = partial(books.fetch_isbns, run.http)
    for batch, found in _fetched(run, idents, books.BATCH, fetch):
        for ident in batch:
            if ident.value in found.items:
                name = f"Open Library ISBN {ident.value}"
                run.fetched.sources.append(Source(name, "csl-json", found.items[ident.value]))
            else:
                run.fail(ident.text, f"Open Library has no book with ISBN {ident.value}")


def _arxiv_ids(run: _Run, idents: Sequence[Identifier]) -> None:
    """Preprints from arXiv, ``arxiv.BATCH`` ids a request, paced as arXiv asks."""
    fetch = partial(arxiv.fetch_arxiv, run.http)
    for batch, found in _fetched(run, idents, arxiv.BATCH, fetch, value=arxiv_id):
        for ident, value in zip(batch, map(arxiv_id, batch), strict=True):
            if value in found.items:
                name = f"arXiv {value}"
                run.fetched.sources.append(Source(name, "csl-json", found.items[value]))
            else:
                run.fail(ident.text, f"arXiv has no preprint {value}")


def arxiv_id(ident: Identifier) -> str:
    """The arXiv id of an arXiv identifier, or of an arXiv DOI (``10.48550/arxiv.2101.00001``,
    whose old-style ids get their subject class's capitals back: ``math.GT/0309136``)."""
    if ident.kind != DOI:
        return ident.value
    value = ident.value[len(arxiv.ARXIV_DOI_PREFIX) :]
    old = _OLD_ARXIV.match(value)
    if old:
        return f"{old[1]}.{old[2].upper()}/{old[3]}{old[4] or ''}"
    return value


def _pmids(run: _Run, pmids: dict[str, Identifier]) -> None:
    """PubMed's MEDLINE text for the PMIDs, ``BATCH`` at a time; each PMID it lacks fails."""
    wanted = list(pmids)
    for start in range(0, len(wanted), BATCH):
        if not run.go_on():
            return
        batch = wanted[start : start + BATCH]
        problems: list[Problem] = []
        try:
            body = efetch_text(run.http, batch)
            found = read_medline(body, problems)
        except NetworkError as exc:
            for pmid in batch:
                run.failed(pmids[pmid].text, exc)
            continue
        finally:
            run.step()
        for pmid in batch:
            if pmid not in found:
                run.fail(pmids[pmid].text, f"PubMed has no PMID {pmid}")
        if found:
            run.fetched.sources.append(Source(_batch_name(batch), "medline", body))


def _batch_name(batch: Sequence[str]) -> str:
    return f"PubMed PMID {batch[0]}" if len(batch) == 1 else f"PubMed ({len(batch)} PMIDs)"


def _failed(text: str, exc: NetworkError) -> Failed:
    return Failed(text, str(exc), offline=isinstance(exc, OfflineError))

"""Identifiers to the answers that hold their records, ready for the library's import path.

``fetch_sources`` asks PubMed (PMIDs, in batches; DOIs that PubMed has) and doi.org (other
DOIs) and gives each answer as a ``Source``: a name for the import's report, the key of the
format refman reads it with (refman.formats), and the bytes as sent. The import then reads
them like files, so the records keep their source and duplicates are found as in any import.
Identifiers that could not be fetched are ``Failed``, with why in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from refman.identifiers import DOI, PMID, Identifier
from refman.model import Problem
from refman.online.doi import csl_json_answer
from refman.online.http import Http, NetworkError, OfflineError
from refman.online.pubmed import BATCH, efetch_text, read_medline, search_doi

NOT_YET = "refman cannot fetch {kind} records yet"
KIND_NAMES = {"pmcid": "PMCID", "isbn": "ISBN", "arxiv": "arXiv"}


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


def fetch_sources(http: Http, identifiers: Sequence[Identifier]) -> Fetched:
    """The answers holding the records of ``identifiers``; each one that failed, with why."""
    fetched = Fetched()
    pmids: dict[str, Identifier] = {}
    for ident in identifiers:
        if ident.kind == PMID:
            pmids.setdefault(ident.value, ident)
        elif ident.kind == DOI:
            _doi(http, ident, pmids, fetched)
        else:
            kind = KIND_NAMES.get(ident.kind, ident.kind)
            fetched.failed.append(Failed(ident.text, NOT_YET.format(kind=kind)))
    _pmids(http, pmids, fetched)
    return fetched


def _doi(http: Http, ident: Identifier, pmids: dict[str, Identifier], fetched: Fetched) -> None:
    """A DOI: its PMID joins the PubMed batch when PubMed has it, else doi.org's CSL-JSON."""
    try:
        pmid = search_doi(http, ident.value)
        if pmid is not None:
            pmids.setdefault(pmid, ident)
            return
        body, _ref = csl_json_answer(http, ident.value)
    except NetworkError as exc:
        fetched.failed.append(_failed(ident.text, exc))
        return
    fetched.sources.append(Source(f"doi.org {ident.value}", "csl-json", body))


def _pmids(http: Http, pmids: dict[str, Identifier], fetched: Fetched) -> None:
    """PubMed's MEDLINE text for the PMIDs, ``BATCH`` at a time; each PMID it lacks fails."""
    wanted = list(pmids)
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        problems: list[Problem] = []
        try:
            body = efetch_text(http, batch)
            found = read_medline(body, problems)
        except NetworkError as exc:
            fetched.failed.extend(_failed(pmids[pmid].text, exc) for pmid in batch)
            continue
        for pmid in batch:
            if pmid not in found:
                fetched.failed.append(Failed(pmids[pmid].text, f"PubMed has no PMID {pmid}"))
        if found:
            fetched.sources.append(Source(_batch_name(batch), "medline", body))


def _batch_name(batch: Sequence[str]) -> str:
    return f"PubMed PMID {batch[0]}" if len(batch) == 1 else f"PubMed ({len(batch)} PMIDs)"


def _failed(text: str, exc: NetworkError) -> Failed:
    return Failed(text, str(exc), offline=isinstance(exc, OfflineError))

"""PMCIDs to PMIDs and DOIs through NCBI's PMC ID Converter (JSON), up to 200 ids a request.

A PMC article's record is fetched from PubMed (its PMID) or, when PubMed has none, by its DOI:
``convert`` says which of the two each PMCID has, or why it has neither. The converter answers
every id of a batch in one JSON object, ``records`` holding one entry per id, an unknown one with
``"status": "error"`` and ``errmsg``; NCBI's newer service gives PMIDs as numbers, the older as
strings, and both are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from refman.online.http import TOOL, BadResponseError, Http
from refman.online.pubmed import json_object

BATCH = 200  # ids in one request: the converter's own limit


@dataclass(frozen=True)
class Conversion:
    """What the converter knows of one PMCID: its PMID and DOI (either may be ""), or why it
    knows nothing (``error``)."""

    pmid: str = ""
    doi: str = ""
    error: str = ""


def convert(http: Http, pmcids: Sequence[str], what: str = "") -> dict[str, Conversion]:
    """The conversion of each of ``pmcids`` (normalised, ``PMC123``; at most ``BATCH``), by
    PMCID. A PMCID the answer does not name is given an error. A failed request raises
    NetworkError."""
    what = what or (f"PMCID {pmcids[0]}" if len(pmcids) == 1 else f"{len(pmcids)} PMCIDs")
    params = {"ids": ",".join(pmcids), "format": "json", "tool": TOOL, "email": http.settings.email}
    body = http.get(http.settings.idconv_url, params, what=what).content
    records = _records(body, what)
    found: dict[str, Conversion] = {}
    for record in records:
        pmcid = _text(record.get("pmcid") or record.get("requested-id")).upper()
        if pmcid:
            found.setdefault(pmcid, _conversion(record))
    missing = Conversion(error="the PMC ID Converter did not answer for it")
    return {pmcid: found.get(pmcid.upper(), missing) for pmcid in pmcids}


def _records(body: bytes, what: str) -> list[dict[str, Any]]:
    """The ``records`` of the converter's answer; BadResponseError when it is not such JSON."""
    answer = json_object(body, "the PMC ID Converter's", what, "a result")
    if answer.get("status") not in (None, "ok"):
        message = _text(answer.get("message") or answer.get("errmsg")) or "no reason given"
        raise BadResponseError(f"the PMC ID Converter refused {what}: {message}")
    records = answer.get("records")
    if not isinstance(records, list):
        raise BadResponseError(f"the PMC ID Converter's answer for {what} holds no records")
    return [record for record in records if isinstance(record, dict)]


def _conversion(record: dict[str, Any]) -> Conversion:
    if record.get("status") == "error":
        reason = _text(record.get("errmsg")) or "unknown to PMC"
        return Conversion(error=f"the PMC ID Converter says: {reason}")
    return Conversion(pmid=_text(record.get("pmid")), doi=_text(record.get("doi")).lower())


def _text(value: Any) -> str:
    """A member as text: the newer service gives PMIDs as numbers."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value).strip()
    return ""


def pmcid_of(http: Http, identifier: str) -> str:
    """The PMCID of the article a PMID or DOI names, "" when PubMed Central does not hold it
    (the converter answers such an id with an error record, or a record without a PMCID). A
    failed request raises NetworkError."""
    what = f"the PMCID of {identifier}"
    params = {"ids": identifier, "format": "json", "tool": TOOL, "email": http.settings.email}
    body = http.get(http.settings.idconv_url, params, what=what).content
    for record in _records(body, what):
        pmcid = _text(record.get("pmcid")).upper()
        if record.get("status") != "error" and pmcid.startswith("PMC"):
            return pmcid
    return ""

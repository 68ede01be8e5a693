"""A local PubMed for Search PubMed's tests: esearch, esummary and efetch that agree.

``PubMedReplay(httpserver, hits)`` answers on the pytest-httpserver as PubMed would if its
database were the 75 real records of tests/data/network/efetch-75.txt and every query found
``hits`` (PMIDs among them, in that order): esearch pages through ``hits`` by retstart and
retmax; esummary gives a DocSum per asked PMID; efetch gives the asked records, cut from the
file as they are. esearch and esummary answers take the layout of the recorded
esearch-hits.xml and esummary-2-records.xml (see tests/data/network/README.md).
``queries`` keeps every term esearch was sent.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from werkzeug import Request, Response

NETWORK_DATA = Path(__file__).parent / "data" / "network"
ESEARCH = "/eutils/esearch.fcgi"
ESUMMARY = "/eutils/esummary.fcgi"
EFETCH = "/eutils/efetch.fcgi"


def medline_records() -> dict[str, bytes]:
    """The records of efetch-75.txt by PMID, each as its bytes in the file."""
    body = (NETWORK_DATA / "efetch-75.txt").read_bytes()
    records = [part for part in re.split(rb"\r\n\r\n", body) if part.strip()]
    return {re.search(rb"PMID- (\d+)", part).group(1).decode(): part for part in records}


def tags(record: bytes) -> dict[str, list[str]]:
    """A MEDLINE record's tags and values, continuation lines joined."""
    found: dict[str, list[str]] = {}
    last = None
    for line in record.decode("utf-8").splitlines():
        if line[:4].strip() and line[4:6] == "- ":
            last = line[:4].strip()
            found.setdefault(last, []).append(line[6:].strip())
        elif last is not None and line.startswith("      "):
            found[last][-1] += " " + line.strip()
    return found


def esearch_answer(hits: list[str], start: int, size: int) -> str:
    """esearch's answer for the page of ``hits`` from ``start``, in esearch-hits.xml's layout."""
    recorded = (NETWORK_DATA / "esearch-hits.xml").read_text()
    head, rest = recorded.split("<Count>", 1)
    _, tail = rest.split("</IdList>", 1)
    page = hits[start : start + size]
    ids = "".join(f"<Id>{pmid}</Id>\n" for pmid in page)
    return (
        f"{head}<Count>{len(hits)}</Count><RetMax>{len(page)}</RetMax>"
        f"<RetStart>{start}</RetStart><IdList>\n{ids}</IdList>{tail}"
    )


def docsum(pmid: str, record: bytes) -> str:
    """A DocSum for ``record`` in esummary-2-records.xml's layout (the items a list shows)."""
    values = tags(record)
    authors = "".join(
        f'\t\t<Item Name="Author" Type="String">{html.escape(name)}</Item>\n'
        for name in values.get("AU", [])
    )
    doi = next((v.split()[0] for v in values.get("AID", []) if v.endswith("[doi]")), "")
    first = values.get("DP", [""])[0]
    return (
        f"<DocSum>\n\t<Id>{pmid}</Id>\n"
        f'\t<Item Name="PubDate" Type="Date">{html.escape(first)}</Item>\n'
        f'\t<Item Name="Source" Type="String">{html.escape(values.get("TA", [""])[0])}</Item>\n'
        f'\t<Item Name="AuthorList" Type="List">\n{authors}\t</Item>\n'
        f'\t<Item Name="Title" Type="String">{html.escape(values.get("TI", [""])[0])}</Item>\n'
        f'\t<Item Name="ArticleIds" Type="List">\n'
        f'\t\t<Item Name="pubmed" Type="String">{pmid}</Item>\n'
        f'\t\t<Item Name="doi" Type="String">{html.escape(doi)}</Item>\n\t</Item>\n'
        "</DocSum>\n"
    )


def esummary_answer(pmids: list[str], records: dict[str, bytes]) -> str:
    recorded = (NETWORK_DATA / "esummary-2-records.xml").read_text()
    head = recorded.split("<eSummaryResult>", 1)[0]
    docs = "".join(docsum(pmid, records[pmid]) for pmid in pmids if pmid in records)
    return f"{head}<eSummaryResult>\n{docs}\n</eSummaryResult>\n"


class PubMedReplay:
    """PubMed on the local server; see the module's docstring."""

    def __init__(self, httpserver, hits: list[str]):
        self.records = medline_records()
        self.hits = list(hits)
        self.queries: list[str] = []
        httpserver.expect_request(ESEARCH).respond_with_handler(self._esearch)
        httpserver.expect_request(ESUMMARY).respond_with_handler(self._esummary)
        httpserver.expect_request(EFETCH).respond_with_handler(self._efetch)

    def title(self, pmid: str) -> str:
        return tags(self.records[pmid])["TI"][0]

    def _esearch(self, request: Request) -> Response:
        self.queries.append(request.args["term"])
        start, size = int(request.args["retstart"]), int(request.args["retmax"])
        return Response(esearch_answer(self.hits, start, size), content_type="text/xml")

    def _esummary(self, request: Request) -> Response:
        pmids = request.args["id"].split(",")
        return Response(esummary_answer(pmids, self.records), content_type="text/xml")

    def _efetch(self, request: Request) -> Response:
        asked = [self.records[pmid] for pmid in request.args["id"].split(",")
                 if pmid in self.records]
        return Response(b"\r\n\r\n".join(asked) + b"\r\n", content_type="text/plain")

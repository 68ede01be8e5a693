"""A record by DOI: PubMed's when PubMed has the DOI, else doi.org's CSL-JSON.

PubMed first because its MEDLINE record is the richer one (MeSH, PMID, publication status) and
can be kept current later. doi.org answers content negotiation for every registration agency
(Crossref, DataCite, mEDRA) with CSL-JSON, which refman's CSL-JSON reader reads.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from refman.formats import csl_json
from refman.model import ParseError, Reference
from refman.online.http import BadResponseError, Http
from refman.online.pubmed import answer_gist, fetch_pmids, search_doi

CSL_JSON = "application/vnd.citationstyles.csl+json"


def fetch_doi(http: Http, doi: str) -> Reference:
    """The record of ``doi`` (normalised, see refman.identifiers): PubMed's, else doi.org's.

    Raises NotFoundError when neither has it, NetworkError when a request fails."""
    pmid = search_doi(http, doi)
    if pmid is not None:
        fetched = fetch_pmids(http, [pmid])
        if pmid in fetched.references:
            return fetched.references[pmid]
    return fetch_csl_json(http, doi)


def fetch_csl_json(http: Http, doi: str) -> Reference:
    """The CSL-JSON doi.org gives for ``doi`` by content negotiation, as a Reference."""
    return csl_json_answer(http, doi)[1]


def csl_json_answer(http: Http, doi: str) -> tuple[bytes, Reference]:
    """doi.org's CSL-JSON for ``doi`` as sent, and the one Reference it holds."""
    url = f"{http.settings.doi_url.rstrip('/')}/{quote(doi, safe='/()<>;:')}"
    response = http.get(url, headers={"Accept": CSL_JSON}, what=f"DOI {doi}")
    body = response.content
    try:
        refs = [ref for _line, ref in csl_json.read_numbered(io.BytesIO(body), name="doi.org")]
    except ParseError as exc:
        gist = answer_gist(body)
        raise BadResponseError(f"doi.org's answer for DOI {doi} is not CSL-JSON ({gist})") from exc
    if len(refs) != 1:
        raise BadResponseError(f"doi.org's answer for DOI {doi} holds {len(refs)} records, not 1")
    return body, refs[0]

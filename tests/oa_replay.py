"""A local PubMed Central OA service, NCBI file server and Unpaywall for Find Available PDF's
tests, on the pytest-httpserver.

The OA service's and Unpaywall's answers are the recordings of tests/data/network (see its
README); the files they point at are the real PDFs of tests/data/pdf, and PMC packages are
made here from them (``package``). The OA service's ftp://ftp.ncbi.nlm.nih.gov links reach
the local server through REFMAN_NCBI_FTP_URL unchanged; Unpaywall's locations name other
hosts (arxiv.org, cdr.lib.unc.edu), which ``serve_unpaywall`` points at the local server as it
serves the recording.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

from refman.online import Settings

DATA = Path(__file__).parent / "data"
NETWORK = DATA / "network"
PDFS = DATA / "pdf"
OA = "/pmc/oa.fcgi"
FTP = "/ncbi-ftp"
UNPAYWALL = "/unpaywall/v2"
IDCONV = "/idconv/"
ARTICLE = PDFS / "rehabil-res-pract-2010-hindawi.pdf"  # "Rehabilitation Research and Practice"
WJR_PDF = "/pub/pmc/oa_pdf/8e/71/WJR-9-27.PMC5334499.pdf"  # in oa-PMC5334499-pdf-and-tgz.xml
LANCET_PACKAGE = "/pub/pmc/oa_package/f1/69/PMC7906746.tar.gz"  # oa-PMC7906746-tgz-only.xml
PRL_DOI = "10.1103/physrevlett.80.3915"  # unpaywall-10.1103-physrevlett.80.3915.json
ARXIV_PDF = "/arxiv.org/pdf/gr-qc/9801069"  # its best location
CDR_PDF = "/cdr.lib.unc.edu/downloads/hm50v1675"  # its other location
# Where Unpaywall's recorded locations are sent instead (the recording's host -> a path here).
MOVED_HOSTS = {"http://arxiv.org": "/arxiv.org", "https://cdr.lib.unc.edu": "/cdr.lib.unc.edu"}


def environment(httpserver) -> dict[str, str]:
    """The REFMAN_*_URL variables that send every request of Find Available PDF here."""
    return {
        "REFMAN_PMC_OA_URL": httpserver.url_for(OA),
        "REFMAN_NCBI_FTP_URL": httpserver.url_for(FTP),
        "REFMAN_UNPAYWALL_URL": httpserver.url_for(UNPAYWALL),
        "REFMAN_IDCONV_URL": httpserver.url_for(IDCONV),
    }


def settings(httpserver) -> Settings:
    """Settings for an Http aimed here, with short pauses."""
    return Settings(
        pmc_oa_url=httpserver.url_for(OA),
        ncbi_ftp_url=httpserver.url_for(FTP),
        unpaywall_url=httpserver.url_for(UNPAYWALL),
        idconv_url=httpserver.url_for(IDCONV),
        timeout=2.0,
        attempts=2,
        backoff=0.01,
    )


def serve_oa(httpserver, recording: str) -> None:
    """The OA service answers with a recording (whatever PMCID it is asked for)."""
    body = (NETWORK / recording).read_bytes()
    httpserver.expect_request(OA).respond_with_data(body, content_type="text/xml")


def serve_file(httpserver, path: str, body: bytes, content_type: str = "application/pdf"):
    httpserver.expect_request(path).respond_with_data(body, content_type=content_type)


def serve_ncbi_file(httpserver, path: str, body: bytes) -> None:
    """A file of NCBI's file server, at the path its ftp:// link names."""
    serve_file(httpserver, FTP + path, body, "application/octet-stream")


def serve_unpaywall(httpserver, doi: str, recording: str) -> None:
    """Unpaywall's recorded record for ``doi``, its locations' hosts pointed here."""
    text = (NETWORK / recording).read_text(encoding="utf-8")
    for host, path in MOVED_HOSTS.items():
        text = text.replace(host, httpserver.url_for(path).rstrip("/"))
    httpserver.expect_request(f"{UNPAYWALL}/{doi}").respond_with_data(
        text.encode("utf-8"), content_type="application/json"
    )


def package(members: dict[str, bytes]) -> bytes:
    """A PMC package (.tar.gz) holding ``members`` (name: bytes), as PMC lays them out."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def serve_nothing_else(httpserver) -> None:
    """Every other file asked of NCBI's file server is not there (404), as for a real server;
    registered last, after the files that are there."""
    httpserver.expect_request(re.compile(f"^{FTP}/.*")).respond_with_data("", status=404)

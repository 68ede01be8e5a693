"""The identifiers a PDF prints: ``identifiers_in(pdf) -> Recognised``.

Looks where articles print them: the document's metadata (publishers put the DOI in Subject,
Keywords or a "doi" key) and the first pages (the running head, the footer, "Cite this
article"). Later pages are left alone: their reference lists hold other papers' DOIs. A DOI
labelled as one ("doi:", "DOI", a doi.org address) wins over one merely mentioned; otherwise
the first found. When no identifier is found, ``title`` is the metadata's title when it looks
like one, else the first lines of page 1 that read as a title, so that the PDF can become an
item of its own that asks for a lookup later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refman.pdf.extract import PdfText

PAGES_LOOKED_AT = 3
# Crossref's advice for DOIs in text, minus characters that end a sentence or an address.
_DOI = re.compile(r"10\.\d{4,9}/[-._;()/:a-z0-9<>\[\]]+[a-z0-9)/\]]", re.I)
_DOI_LABEL = re.compile(r"(doi\s*:?\s*|doi\.org/|dx\.doi\.org/)$", re.I)
_PMID = re.compile(r"\bPMID\s*:?\s*(\d{1,8})\b")
_PMCID = re.compile(r"\b(PMC\d{4,9})\b")
_ARXIV = re.compile(
    r"\barXiv\s*:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)"
)
_NOT_A_TITLE = re.compile(
    r"(^untitled|^microsoft word|\.(pdf|docx?|dvi|tex|indd|qxd)$|^[\d\s._-]+$)", re.I
)
_BOILERPLATE = re.compile(
    r"(doi|http|www\.|journal|vol\.|volume|issn|©|copyright|licen[cs]e|received|accepted|"
    r"published|page \d|^\d+$|original article|research article|review article)",
    re.I,
)


@dataclass(frozen=True)
class Recognised:
    """What a PDF tells of its reference: identifiers (empty when not found) and a title."""

    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    arxiv: str = ""
    title: str = ""

    @property
    def identifier(self) -> str:
        """The one to look the reference up by, best first: PMID, PMCID, DOI, arXiv."""
        return self.pmid or self.pmcid or self.doi or (f"arXiv:{self.arxiv}" if self.arxiv else "")


def identifiers_in(pdf: PdfText) -> Recognised:
    """The identifiers and title ``pdf`` gives; see the module's docstring."""
    metadata_text = " ".join(pdf.metadata.get(k, "") for k in ("Subject", "Keywords", "doi"))
    first_pages = "\n".join(pdf.pages[:PAGES_LOOKED_AT])
    text = metadata_text + "\n" + first_pages
    return Recognised(
        doi=best_doi(text),
        pmid=_first(_PMID, text),
        pmcid=_first(_PMCID, text),
        arxiv=_first(_ARXIV, text),
        title=title_of(pdf),
    )


def best_doi(text: str) -> str:
    """The labelled DOI first found in ``text``, else the first DOI; "" when none."""
    found = [
        (_clean_doi(m.group()), bool(_DOI_LABEL.search(text[max(0, m.start() - 12) : m.start()])))
        for m in _DOI.finditer(text)
    ]
    labelled = [doi for doi, is_labelled in found if is_labelled]
    return (labelled or [doi for doi, _ in found] or [""])[0]


def _clean_doi(doi: str) -> str:
    """A DOI without what a sentence put after it: a closing bracket it did not open."""
    while doi.endswith((")", "]")):
        opening = "(" if doi[-1] == ")" else "["
        if doi.count(doi[-1]) <= doi.count(opening):
            break
        doi = doi[:-1]
    return doi.rstrip(".,;:")


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1) if match else ""


def title_of(pdf: PdfText) -> str:
    """The metadata's title when it reads as one, else the first title-like lines of page 1."""
    title = " ".join(pdf.metadata.get("Title", "").split())
    if len(title.split()) >= 3 and not _NOT_A_TITLE.search(title):
        return title
    return _title_from_page(pdf.pages[0] if pdf.pages else "")


def _title_from_page(page: str) -> str:
    lines = [" ".join(line.split()) for line in page.splitlines()[:15]]
    picked: list[str] = []
    for line in lines:
        if len(line.split()) >= 2 and not _BOILERPLATE.search(line) and len(line) < 200:
            picked.append(line)
            if len(picked) == 3:
                break
        elif picked:
            break
    return " ".join(picked)

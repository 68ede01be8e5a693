"""Synthetic PubMed XML files for the benchmark: the records of bench.synthetic (PubMed-like
MEDLINE records from one seed) written as the ``PubmedArticleSet`` PubMed's "Save as XML" and
efetch write, element by element (the reverse of refman.formats.pubmed_xml.fields).

The same seed writes the same bytes. Each record has what its MEDLINE form has: a structured
abstract where the MEDLINE one has labels, authors with affiliations and ORCIDs, MeSH headings
with qualifiers and major-topic flags, keywords, ISSNs, the PubMed history and article ids.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from bench.synthetic import DEFAULT_SEED, Vocabulary, record_pairs

Pairs = Sequence[tuple[str, str]]

HEAD = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)
TAIL = "</PubmedArticleSet>\n"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LABEL = re.compile(r"(?:^| )([A-Z][A-Z ]{2,}): ")


def _el(tag: str, text: str, **attrs: str) -> str:
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in attrs.items())
    return f"<{tag}{attributes}>{escape(text)}</{tag}>"


def _ymd(tag: str, stamp: str) -> str:
    """``20200115`` as <tag><Year>..."""
    return (
        f"<{tag}><Year>{stamp[:4]}</Year><Month>{stamp[4:6]}</Month><Day>{stamp[6:8]}</Day></{tag}>"
    )


def _pub_date(printed: str) -> str:
    parts = printed.split()
    if (len(parts) > 1 and parts[1] not in _MONTHS) or "-" in printed:  # Sep-Oct, Winter, 9-16
        return f"<PubDate>{_el('MedlineDate', printed)}</PubDate>"
    inner = "".join(
        _el(tag, value) for tag, value in zip(("Year", "Month", "Day"), parts, strict=False)
    )
    return f"<PubDate>{inner}</PubDate>"


def _abstract(text: str) -> str:
    labels = list(_LABEL.finditer(text))
    if not labels:
        return f"<Abstract>{_el('AbstractText', text)}</Abstract>"
    sections = []
    for match, after in zip(labels, labels[1:] + [None], strict=True):
        body = text[match.end() : after.start() if after else len(text)].strip()
        sections.append(_el("AbstractText", body, Label=match[1], NlmCategory=match[1]))
    return f"<Abstract>{''.join(sections)}</Abstract>"


def _authors(pairs: Pairs) -> str:
    authors: list[list[str]] = []
    for tag, value in pairs:
        if tag == "FAU":
            last, _, fore = value.partition(", ")
            initials = "".join(word[0] for word in fore.replace("-", " ").split())
            authors.append(
                [_el("LastName", last), _el("ForeName", fore), _el("Initials", initials)]
            )
        elif tag == "CN":
            authors.append([_el("CollectiveName", value)])
        elif tag == "AUID" and authors:
            source, _, number = value.partition(": ")
            authors[-1].append(_el("Identifier", number, Source=source))
        elif tag == "AD" and authors:
            authors[-1].append(f"<AffiliationInfo>{_el('Affiliation', value)}</AffiliationInfo>")
    people = "".join(f'<Author ValidYN="Y">{"".join(parts)}</Author>' for parts in authors)
    return f'<AuthorList CompleteYN="Y">{people}</AuthorList>' if people else ""


def _mesh(value: str) -> str:
    descriptor, *qualifiers = value.split("/")

    def named(tag: str, name: str) -> str:
        major = "Y" if name.startswith("*") else "N"
        return _el(tag, name.lstrip("*"), MajorTopicYN=major)

    inner = named("DescriptorName", descriptor) + "".join(
        named("QualifierName", q) for q in qualifiers
    )
    return f"<MeshHeading>{inner}</MeshHeading>"


def _history(values: dict[str, list[str]]) -> str:
    dates = []
    for value in values.get("PHST", []):
        stamp, status = value.rsplit(" [", 1)
        day, time = stamp.split()
        year, month, dom = day.split("/")
        hour, minute = time.split(":")
        dates.append(
            f'<PubMedPubDate PubStatus="{status.rstrip("]")}"><Year>{year}</Year>'
            f"<Month>{int(month)}</Month><Day>{int(dom)}</Day><Hour>{int(hour)}</Hour>"
            f"<Minute>{int(minute)}</Minute></PubMedPubDate>"
        )
    return f"<History>{''.join(dates)}</History>"


def _ids(values: dict[str, list[str]]) -> str:
    ids = [_el("ArticleId", values["PMID"][0], IdType="pubmed")]
    for value in values.get("AID", []):
        number, kind = value.rsplit(" [", 1)
        ids.append(_el("ArticleId", number, IdType=kind.rstrip("]")))
    ids += [_el("ArticleId", value, IdType="pmc") for value in values.get("PMC", [])]
    return f"<ArticleIdList>{''.join(ids)}</ArticleIdList>"


def _journal(values: dict[str, list[str]]) -> str:
    issns = [
        _el("ISSN", value.split(" (")[0], IssnType=value.split(" (")[1].rstrip(")"))
        for value in values.get("IS", [])
        if not value.endswith("(Linking)")
    ]
    issue = "".join(
        _el(tag, values[key][0])
        for tag, key in (("Volume", "VI"), ("Issue", "IP"))
        if key in values
    )
    return (
        f'<Journal>{"".join(issns)}<JournalIssue CitedMedium="Internet">{issue}'
        f"{_pub_date(values['DP'][0])}</JournalIssue>{_el('Title', values['JT'][0])}"
        f"{_el('ISOAbbreviation', values['TA'][0])}</Journal>"
    )


def record_xml(pairs: Pairs) -> str:
    """One ``PubmedArticle`` with what a record's MEDLINE pairs say."""
    values: dict[str, list[str]] = {}
    for tag, value in pairs:
        values.setdefault(tag, []).append(value)

    def each(tag: str, key: str, **attrs: str) -> str:
        return "".join(_el(tag, value, **attrs) for value in values.get(key, []))

    linking = [v.split(" (")[0] for v in values.get("IS", []) if v.endswith("(Linking)")]
    keywords = each("Keyword", "OT", MajorTopicYN="N")
    article = (
        '<Article PubModel="Print">'
        + _journal(values)
        + each("ArticleTitle", "TI")
        + (
            f"<Pagination>{_el('MedlinePgn', values['PG'][0])}</Pagination>"
            if "PG" in values
            else ""
        )
        + "".join(
            _el("ELocationID", v.rsplit(" [", 1)[0], EIdType="doi", ValidYN="Y")
            for v in values.get("LID", [])
        )
        + (_abstract(values["AB"][0]) if "AB" in values else "")
        + _authors(pairs)
        + each("Language", "LA")
        + f"<PublicationTypeList>{each('PublicationType', 'PT')}</PublicationTypeList>"
        + "</Article>"
    )
    info = (
        "<MedlineJournalInfo>"
        + each("Country", "PL")
        + each("MedlineTA", "TA")
        + each("NlmUniqueID", "JID")
        + "".join(_el("ISSNLinking", v) for v in linking)
        + "</MedlineJournalInfo>"
    )
    pmid = _el("PMID", values["PMID"][0], Version="1")
    citation = (
        f'<MedlineCitation Status="MEDLINE" Owner="NLM">{pmid}'
        + (_ymd("DateCompleted", values["DCOM"][0]) if "DCOM" in values else "")
        + (_ymd("DateRevised", values["LR"][0]) if "LR" in values else "")
        + article
        + info
        + each("CitationSubset", "SB")
        + f"<MeshHeadingList>{''.join(_mesh(v) for v in values.get('MH', []))}</MeshHeadingList>"
        + (f'<KeywordList Owner="NOTNLM">{keywords}</KeywordList>' if keywords else "")
        + each("CoiStatement", "COIS")
        + "</MedlineCitation>"
    )
    status = each("PublicationStatus", "PST")
    data = f"<PubmedData>{_history(values)}{status}{_ids(values)}</PubmedData>"
    return f"<PubmedArticle>{citation}{data}</PubmedArticle>\n"


def records(count: int, seed: int = DEFAULT_SEED) -> Iterator[str]:
    """The XML of ``count`` synthetic records."""
    vocab = Vocabulary(seed)
    rng = random.Random(seed + 1)
    for index in range(count):
        yield record_xml(record_pairs(vocab, rng, index))


def write_synthetic(path: str | os.PathLike[str], count: int, seed: int = DEFAULT_SEED) -> None:
    """Write ``count`` synthetic records to ``path`` as PubMed XML."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(HEAD)
        for text in records(count, seed):
            out.write(text)
        out.write(TAIL)

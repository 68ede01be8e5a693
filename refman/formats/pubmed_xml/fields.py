"""A PubMed XML record as the MEDLINE tag/value pairs PubMed gives for the same PMID.

PubMed writes its MEDLINE ("PubMed format") text from the XML of each record; this module does
the same conversion, element by element, in PubMed's order of tags. The MEDLINE mapping then
makes the reference, so that a record read from XML and the same record read from MEDLINE give
the same reference (``refman.formats.pubmed_xml`` says what differs and why).

What each element becomes:

- ``MedlineCitation``: PMID, OWN and STAT (its attributes), DCOM and LR (DateCompleted,
  DateRevised as YYYYMMDD);
- ``Journal``: IS (each ISSN with its IssnType, and ISSNLinking as Linking), VI, IP, DP
  (PubDate: ``2023 Dec 1``, ``1990 Spring``, or MedlineDate as printed), JT;
- ``ArticleTitle`` TI, ``VernacularTitle`` TT, ``Pagination`` PG (MedlinePgn, else
  StartPage-EndPage), each ``ELocationID`` LID (``value [doi]``);
- ``Abstract``: AB, its sections joined as PubMed joins them (``BACKGROUND: text METHODS:
  text``: the Label, a colon, the text), CopyrightInformation CI; OtherAbstract OAB;
- ``AuthorList``: each author FAU (``Last, Fore Suffix``) and AU (``Last Initials Suffix``), its
  Identifiers AUID (``ORCID: 0000-...``), its affiliations AD; a CollectiveName CN in its place
  in the list; an editors' list FED/ED; ``ValidYN="N"`` authors (names PubMed corrected) are
  left out, as PubMed's MEDLINE text leaves them out; investigators FIR/IR/IRAD;
- Language LA, DataBank SI, Grant GR, PublicationType PT, ArticleDate DEP,
  ``MedlineJournalInfo`` PL (country), TA, JID, Chemical RN, CitationSubset SB, GeneralNote GN,
  CoiStatement COIS;
- ``CommentsCorrections``: CIN, CON, EIN, EFR, RIN, ROF, UIN, UOF, ... (``RefSource PMID: n``);
  PubMed's "Cites" list is not in MEDLINE and is not converted;
- ``MeshHeading`` MH (``*Descriptor/qualifier/*qualifier``, a star for each major topic),
  ``Keyword`` OT (a star for a major one) after its list's OTO (owner);
- ``PubmedData``: the pmc and mid ids PMC and MID, History EDAT, MHDA, CRDT (the pubmed,
  medline and entrez dates) and PHST (each date with its status), the other ids AID
  (``value [pii]``), PublicationStatus PST.

A ``PubmedBookArticle`` (a book or a chapter of one on the NCBI Bookshelf) becomes PubMed's book
record: PB, PL (the publisher's place), DP, TI (a chapter's title), BTI, VTI, CTI, VI, EN,
ISBN, editors FED/ED, authors FAU/AU, DRDT, CTDT, and PT ``Book`` or ``Book Chapter``.

Not converted: SO (the citation PubMed prints at the end, made from the fields above) and the
reference list; both stay in the source record, which is the record's XML.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from refman.formats.xml_input import text_of

Element = Any  # lxml's element: lxml ships no types
Pairs = list[tuple[str, str]]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# CommentsCorrections RefType: the MEDLINE tag of the same link.
COMMENT_TAGS = {
    "CommentOn": "CON",
    "CommentIn": "CIN",
    "ErratumIn": "EIN",
    "ErratumFor": "EFR",
    "CorrectedandRepublishedIn": "CRI",
    "CorrectedandRepublishedFrom": "CRF",
    "ExpressionOfConcernIn": "ECI",
    "ExpressionOfConcernFor": "ECF",
    "PartialRetractionIn": "PRIN",
    "PartialRetractionOf": "PROF",
    "RepublishedFrom": "RPF",
    "RepublishedIn": "RPI",
    "RetractionIn": "RIN",
    "RetractionOf": "ROF",
    "RetractedandRepublishedIn": "RRI",
    "RetractedandRepublishedFrom": "RRF",
    "SummaryForPatientsIn": "SPIN",
    "OriginalReportIn": "ORI",
    "UpdateIn": "UIN",
    "UpdateOf": "UOF",
}
# ArticleIds that MEDLINE gives a tag of their own (or none); the others are AID lines.
_OWN_ID_TAGS = {"pmc": "PMC", "mid": "MID", "pubmed": ""}
# History dates that MEDLINE repeats as a tag of their own.
_HISTORY_TAGS = (("pubmed", "EDAT"), ("medline", "MHDA"), ("entrez", "CRDT"))


def marked_text(element: Element) -> str:
    """A title's or an abstract's text as PubMed's MEDLINE gives it: a superscript or subscript
    in parentheses (``Ca<sup>2+</sup>`` is ``Ca(2+)``, ``10<sup>6</sup>`` is ``10(6)``, not
    ``106``), other markup (italics, MathML) as its text; "" for no element."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        inner = marked_text(child)
        if child.tag in ("sup", "sub") and inner:
            inner = f"({inner})"
        parts += [inner, child.tail or ""]
    return " ".join("".join(parts).split())


def _one(tag: str, value: str) -> Pairs:
    return [(tag, value)] if value else []


def _each(tag: str, elements: Iterable[Element]) -> Pairs:
    return [(tag, value) for value in map(text_of, elements) if value]


def _ymd(element: Element) -> str:
    """A Year/Month/Day element as YYYYMMDD (DCOM, LR, DEP), "" when it has no year."""
    if element is None:
        return ""
    year = text_of(element.find("Year"))
    if not year:
        return ""
    month, day = _number(element.find("Month")), _number(element.find("Day"))
    return f"{year}{month:02d}{day:02d}" if month and day else year


def _number(element: Element) -> int:
    """A month or day as a number: ``12``, ``Dec`` and ``December`` are all 12; 0 for none."""
    text = text_of(element)
    if text.isdigit():
        return int(text)
    short = text[:3].capitalize()
    return _MONTHS.index(short) + 1 if short in _MONTHS else 0


def date_printed(pub_date: Element) -> str:
    """A PubDate as MEDLINE's DP prints it: ``2023 Dec 1``, ``2001 Jun``, ``1990 Spring``, or
    the MedlineDate as it is (``2019 Sep-Oct``)."""
    if pub_date is None:
        return ""
    medline_date = text_of(pub_date.find("MedlineDate"))
    if medline_date:
        return medline_date
    parts = [text_of(pub_date.find("Year"))]
    season = text_of(pub_date.find("Season"))
    month = _number(pub_date.find("Month"))
    if season:
        parts.append(season)
    elif month:
        parts.append(_MONTHS[month - 1] if month <= 12 else str(month))
        day = _number(pub_date.find("Day"))
        if day:
            parts.append(str(day))
    return " ".join(p for p in parts if p)


def _stamp(date: Element) -> str:
    """A PubMedPubDate as ``2023/05/05 06:42`` (``00:00`` when it has no time, as PubMed)."""
    year = text_of(date.find("Year"))
    month, day = _number(date.find("Month")), _number(date.find("Day"))
    hour, minute = _number(date.find("Hour")), _number(date.find("Minute"))
    return f"{year}/{month:02d}/{day:02d} {hour:02d}:{minute:02d}" if year else ""


# --- names ---------------------------------------------------------------------------------------


def _person(author: Element, full_tag: str) -> Pairs:
    """FAU and AU (or FED and ED) for a person: ``Knowles, Charles H`` and ``Knowles CH``."""
    last = text_of(author.find("LastName"))
    if not last:
        return []
    fore, initials = text_of(author.find("ForeName")), text_of(author.find("Initials"))
    suffix = text_of(author.find("Suffix"))
    full = f"{last}, {fore}" if fore else last
    short = f"{last} {initials}" if initials else last
    if suffix:
        full, short = f"{full} {suffix}", f"{short} {suffix}"
    return [(full_tag, full), (full_tag[1:], short)]


def _creator(author: Element, full_tag: str) -> Pairs:
    """A person or a group with its ids and affiliations, in MEDLINE's order."""
    group = text_of(author.find("CollectiveName"))
    lines = [("CN", group)] if group else _person(author, full_tag)
    if not lines:
        return []
    for identifier in author.iterfind("Identifier"):
        value = text_of(identifier)
        if value:
            lines.append(("AUID", f"{identifier.get('Source', '').strip() or 'ID'}: {value}"))
    lines += _each("AD", author.iterfind("AffiliationInfo/Affiliation"))
    return lines


def creators(author_list: Element) -> Pairs:
    """The names of an AuthorList, its editors as FED/ED when its Type says so."""
    if author_list is None:
        return []
    full_tag = "FED" if author_list.get("Type") == "editors" else "FAU"
    return [
        line
        for author in author_list.iterfind("Author")
        if author.get("ValidYN", "Y") != "N"
        for line in _creator(author, full_tag)
    ]


def _investigators(parent: Element) -> Pairs:
    lines: Pairs = []
    for person in parent.iterfind("InvestigatorList/Investigator"):
        if person.get("ValidYN", "Y") == "N":
            continue
        names = _person(person, "FIR")
        lines += names + (
            _each("IRAD", person.iterfind("AffiliationInfo/Affiliation")) if names else []
        )
    return lines


# --- shared parts ---------------------------------------------------------------------------------


def abstract(element: Element) -> str:
    """An Abstract's sections as one text, each labelled section ``LABEL: text``."""
    if element is None:
        return ""
    parts = []
    for section in element.iterfind("AbstractText"):
        text, label = marked_text(section), (section.get("Label") or "").strip()
        if text or label:
            parts.append(f"{label}: {text}".strip() if label else text)
    return " ".join(parts)


def _abstracts(parent: Element) -> Pairs:
    main = parent.find("Abstract")
    lines = _one("AB", abstract(main))
    if main is not None:
        lines += _one("CI", text_of(main.find("CopyrightInformation")))
    return lines


def _other_abstracts(parent: Element) -> Pairs:
    lines: Pairs = []
    for other in parent.iterfind("OtherAbstract"):
        text = abstract(other)
        if text:
            lines += [("OAB", text), *_one("OABL", (other.get("Language") or "").strip())]
    return lines


def _keywords(parent: Element) -> Pairs:
    lines: Pairs = []
    for keyword_list in parent.iterfind("KeywordList"):
        words = [
            ("*" if k.get("MajorTopicYN") == "Y" else "") + text_of(k)
            for k in keyword_list.iterfind("Keyword")
            if text_of(k)
        ]
        if words:
            lines += _one("OTO", (keyword_list.get("Owner") or "").strip())
            lines += [("OT", word) for word in words]
    return lines


def _grants(parent: Element) -> Pairs:
    lines = []
    for grant in parent.iterfind("GrantList/Grant"):
        parts = [text_of(grant.find(part)) for part in ("GrantID", "Acronym", "Agency", "Country")]
        if any(parts):
            lines.append(("GR", "/".join(p for p in parts if p)))
    return lines


def _history(data: Element) -> Pairs:
    """EDAT, MHDA, CRDT and the PHST lines of a PubmedData's or PubmedBookData's History."""
    if data is None:
        return []
    dates = [
        (date.get("PubStatus", ""), _stamp(date)) for date in data.iterfind("History/PubMedPubDate")
    ]
    firsts = {status: stamp for status, stamp in reversed(dates) if stamp}
    lines = [(tag, firsts[status]) for status, tag in _HISTORY_TAGS if status in firsts]
    return lines + [("PHST", f"{stamp} [{status}]") for status, stamp in dates if stamp]


def _ids(id_lists: Iterable[Element]) -> tuple[Pairs, Pairs]:
    """(PMC and MID lines, AID lines) of ArticleIdLists."""
    own: Pairs = []
    aids: Pairs = []
    for id_list in id_lists:
        if id_list is None:
            continue
        for article_id in id_list.iterfind("ArticleId"):
            kind, value = (article_id.get("IdType") or "").strip(), text_of(article_id)
            if not value:
                continue
            if kind in _OWN_ID_TAGS:  # the PMID itself is the record's PMID line already
                own += _one(_OWN_ID_TAGS[kind], value) if _OWN_ID_TAGS[kind] else []
            else:
                aids.append(("AID", f"{value} [{kind}]" if kind else value))
    return own, aids


def _comments(citation: Element) -> Pairs:
    lines = []
    for link in citation.iterfind("CommentsCorrectionsList/CommentsCorrections"):
        tag = COMMENT_TAGS.get(link.get("RefType", ""))
        source, pmid = text_of(link.find("RefSource")), text_of(link.find("PMID"))
        if tag and (source or pmid):
            lines.append((tag, f"{source} PMID: {pmid}".strip() if pmid else source))
    return lines


def _mesh(citation: Element) -> Pairs:
    lines = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        name = text_of(descriptor)
        if not name:
            continue
        parts = [("*" if descriptor.get("MajorTopicYN") == "Y" else "") + name]
        parts += [
            ("*" if q.get("MajorTopicYN") == "Y" else "") + text_of(q)
            for q in heading.iterfind("QualifierName")
            if text_of(q)
        ]
        lines.append(("MH", "/".join(parts)))
    return lines


# --- articles ---------------------------------------------------------------------------------


def _issns(article: Element, journal_info: Element) -> Pairs:
    lines = [
        (
            "IS",
            f"{text_of(issn)} ({issn.get('IssnType')})" if issn.get("IssnType") else text_of(issn),
        )
        for issn in article.iterfind("Journal/ISSN")
        if text_of(issn)
    ]
    linking = text_of(journal_info.find("ISSNLinking")) if journal_info is not None else ""
    return lines + _one("IS", f"{linking} (Linking)" if linking else "")


def _pages(parent: Element) -> str:
    pagination = parent.find("Pagination")
    if pagination is None:
        return ""
    printed = text_of(pagination.find("MedlinePgn"))
    if printed:
        return printed
    first, last = text_of(pagination.find("StartPage")), text_of(pagination.find("EndPage"))
    return f"{first}-{last}" if first and last and last != first else first or last


def _locations(parent: Element) -> Pairs:
    return [
        ("LID", f"{text_of(e)} [{e.get('EIdType')}]" if e.get("EIdType") else text_of(e))
        for e in parent.iterfind("ELocationID")
        if text_of(e) and e.get("ValidYN", "Y") != "N"
    ]


def _journal_info(info: Element) -> Pairs:
    if info is None:
        return []
    return [
        *_one("PL", text_of(info.find("Country"))),
        *_one("TA", text_of(info.find("MedlineTA"))),
    ]


def _databanks(article: Element) -> Pairs:
    return [
        ("SI", f"{text_of(bank.find('DataBankName'))}/{text_of(number)}")
        for bank in article.iterfind("DataBankList/DataBank")
        for number in bank.iterfind("AccessionNumberList/AccessionNumber")
        if text_of(number)
    ]


def _chemicals(citation: Element) -> Pairs:
    lines = []
    for chemical in citation.iterfind("ChemicalList/Chemical"):
        number, name = (
            text_of(chemical.find("RegistryNumber")),
            text_of(chemical.find("NameOfSubstance")),
        )
        if number or name:
            lines.append(("RN", f"{number} ({name})" if name else number))
    return lines


def _article(record: Element) -> Pairs:
    citation = record.find("MedlineCitation")
    if citation is None:
        return []
    article = citation.find("Article")
    if article is None:
        article = citation.makeelement("Article")  # a citation without one: its other parts
    info = citation.find("MedlineJournalInfo")
    issue = article.find("Journal/JournalIssue")
    data = record.find("PubmedData")
    own_ids, aids = _ids([data.find("ArticleIdList") if data is not None else None])
    electronic = [
        d
        for d in article.iterfind("ArticleDate")
        if d.get("DateType", "Electronic") == "Electronic"
    ]
    return [
        *_one("PMID", text_of(citation.find("PMID"))),
        *_one("OWN", (citation.get("Owner") or "").strip()),
        *_one("STAT", (citation.get("Status") or "").strip()),
        *_one("DCOM", _ymd(citation.find("DateCompleted"))),
        *_one("LR", _ymd(citation.find("DateRevised"))),
        *_issns(article, info),
        *_one("VI", text_of(issue.find("Volume")) if issue is not None else ""),
        *_one("IP", text_of(issue.find("Issue")) if issue is not None else ""),
        *_one("DP", date_printed(issue.find("PubDate")) if issue is not None else ""),
        *_one("TI", marked_text(article.find("ArticleTitle"))),
        *_one("PG", _pages(article)),
        *_locations(article),
        *_abstracts(article),
        *creators(article.find("AuthorList")),
        *_each("LA", article.iterfind("Language")),
        *_databanks(article),
        *_grants(article),
        *_each("PT", article.iterfind("PublicationTypeList/PublicationType")),
        *_one("DEP", _ymd(electronic[0]) if electronic else ""),
        *_one("TT", marked_text(article.find("VernacularTitle"))),
        *_journal_info(info),
        *_one("JT", text_of(article.find("Journal/Title"))),
        *_one("JID", text_of(info.find("NlmUniqueID")) if info is not None else ""),
        *_chemicals(citation),
        *_each("SB", citation.iterfind("CitationSubset")),
        *_comments(citation),
        *_mesh(citation),
        *own_ids,
        *_other_abstracts(citation),
        *_keywords(citation),
        *_each("COIS", citation.iterfind("CoiStatement")),
        *_each("GN", citation.iterfind("GeneralNote")),
        *_investigators(citation),
        *_history(data),
        *aids,
        *_one("PST", text_of(data.find("PublicationStatus")) if data is not None else ""),
    ]


# --- books ---------------------------------------------------------------------------------------


def _book_names(document: Element, book: Element) -> Pairs:
    """Editors first, then authors: the chapter's own authors, else the book's."""
    lists = list(book.iterfind("AuthorList")) if book is not None else []
    editors = [a for a in lists if a.get("Type") == "editors"]
    authors = list(document.iterfind("AuthorList")) or [a for a in lists if a not in editors]
    return [line for names in editors + authors for line in creators(names)]


def _book(record: Element) -> Pairs:
    document = record.find("BookDocument")
    if document is None:
        return []
    book = document.find("Book")
    if book is None:
        book = document.makeelement("Book")
    chapter = marked_text(document.find("ArticleTitle"))
    data = record.find("PubmedBookData")
    own_ids, aids = _ids(
        [document.find("ArticleIdList"), data.find("ArticleIdList") if data is not None else None]
    )
    return [
        *_one("PMID", text_of(document.find("PMID"))),
        *_one("DRDT", _ymd(document.find("DateRevised"))),
        *_one("CTDT", _ymd(document.find("ContributionDate"))),
        *_one("PB", text_of(book.find("Publisher/PublisherName"))),
        *_one("DP", date_printed(book.find("PubDate"))),
        *_one("TI", chapter),
        *_one("BTI", text_of(book.find("BookTitle"))),
        *_one("VTI", text_of(book.find("VolumeTitle"))),
        *_one("CTI", text_of(book.find("CollectionTitle"))),
        *_one("VI", text_of(book.find("Volume"))),
        *_one("EN", text_of(book.find("Edition"))),
        *_one("PG", _pages(document)),
        *_locations(document),
        *_abstracts(document),
        *_book_names(document, book),
        *_each("LA", document.iterfind("Language")),
        *_grants(document),
        *_each("PT", document.iterfind("PublicationType")),
        ("PT", "Book Chapter" if chapter else "Book"),
        *_one("PL", text_of(book.find("Publisher/PublisherLocation"))),
        *_each("ISBN", book.iterfind("Isbn")),
        *_keywords(document),
        *_investigators(document),
        *own_ids,
        *_history(data),
        *aids,
        *_one("PST", text_of(data.find("PublicationStatus")) if data is not None else ""),
    ]


def vernacular_title(record: Element) -> str:
    """The title of an article in its own language (VernacularTitle), "" for none."""
    return marked_text(record.find("MedlineCitation/Article/VernacularTitle"))


def medline_fields(record: Element) -> Pairs:
    """The MEDLINE tag/value pairs of a ``PubmedArticle`` or ``PubmedBookArticle``."""
    return _book(record) if record.tag == "PubmedBookArticle" else _article(record)

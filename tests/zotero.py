"""Zotero's item JSON (its translators' expected items, our oracles) in refman's terms: the
fields every format's oracle test compares, Zotero's name to a Reference attribute. Each test
adds the fields its format has besides (a BibTeX proceedings title, an EndNote book title)."""

ZOTERO_FIELDS = {
    "title": "title",
    "abstractNote": "abstract",
    "publicationTitle": "container_title",
    "journalAbbreviation": "container_title_short",
    "series": "collection_title",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "DOI": "doi",
    "ISBN": "isbn",
    "language": "language",
    "publisher": "publisher",
    "place": "place",
    "url": "url",
}

"""PubMed XML elements to the MEDLINE lines PubMed gives for them (pubmed_xml.fields)."""

import pytest
from lxml import etree

from refman.formats.pubmed_xml.fields import creators, date_printed, marked_text, medline_fields


def el(text: str):
    return etree.fromstring(text)


@pytest.mark.parametrize(
    "xml, printed",
    [
        ("<PubDate><Year>2023</Year><Month>Dec</Month><Day>01</Day></PubDate>", "2023 Dec 1"),
        ("<PubDate><Year>2023</Year><Month>12</Month></PubDate>", "2023 Dec"),
        ("<PubDate><Year>1990</Year><Season>Spring</Season></PubDate>", "1990 Spring"),
        ("<PubDate><MedlineDate>2019 Sep-Oct</MedlineDate></PubDate>", "2019 Sep-Oct"),
        ("<PubDate><Year>2001</Year></PubDate>", "2001"),
        ("<PubDate/>", ""),
    ],
)
def test_a_pub_date_is_printed_as_medlines_dp(xml, printed):
    assert date_printed(el(xml)) == printed


@pytest.mark.parametrize(
    "xml, text",
    [
        ("<t>Ca<sup>2+</sup> and H<sub>2</sub>O</t>", "Ca(2+) and H(2)O"),
        ("<t>In <i>Drosophila</i>\n   melanogaster.</t>", "In Drosophila melanogaster."),
        ("<t><b>Bold <sup>x</sup></b> tail</t>", "Bold (x) tail"),
        ("<t/>", ""),
    ],
)
def test_markup_is_read_as_pubmeds_medline_writes_it(xml, text):
    assert marked_text(el(xml)) == text


def test_authors_groups_ids_and_affiliations_in_order_invalid_names_left_out():
    authors = el(
        '<AuthorList><Author ValidYN="Y"><LastName>Knowles</LastName><ForeName>Charles H'
        "</ForeName><Initials>CH</Initials><Suffix>3rd</Suffix>"
        '<Identifier Source="ORCID">0000-0001-2345-6789</Identifier>'
        "<AffiliationInfo><Affiliation>A.</Affiliation></AffiliationInfo>"
        "<AffiliationInfo><Affiliation>B.</Affiliation></AffiliationInfo></Author>"
        '<Author ValidYN="N"><LastName>Knowels</LastName></Author>'
        "<Author><CollectiveName>The Group</CollectiveName>"
        "<AffiliationInfo><Affiliation>C.</Affiliation></AffiliationInfo></Author>"
        "<Author><LastName>Plato</LastName></Author></AuthorList>"
    )
    assert creators(authors) == [
        ("FAU", "Knowles, Charles H 3rd"),
        ("AU", "Knowles CH 3rd"),
        ("AUID", "ORCID: 0000-0001-2345-6789"),
        ("AD", "A."),
        ("AD", "B."),
        ("CN", "The Group"),
        ("AD", "C."),
        ("FAU", "Plato"),
        ("AU", "Plato"),
    ]


def test_an_editors_list_gives_editor_lines():
    editors = el(
        '<AuthorList Type="editors"><Author><LastName>Adam</LastName>'
        "<ForeName>Margaret P</ForeName><Initials>MP</Initials></Author></AuthorList>"
    )
    assert creators(editors) == [("FED", "Adam, Margaret P"), ("ED", "Adam MP")]


def test_an_article_without_a_citation_gives_no_lines_and_a_bare_one_its_pmid():
    assert medline_fields(el("<PubmedArticle/>")) == []
    assert medline_fields(el("<PubmedBookArticle/>")) == []
    bare = el("<PubmedArticle><MedlineCitation><PMID>5</PMID></MedlineCitation></PubmedArticle>")
    assert medline_fields(bare) == [("PMID", "5")]


def test_other_abstracts_investigators_and_keywords_with_stars():
    record = el(
        "<PubmedArticle><MedlineCitation><PMID>9</PMID><Article><ArticleTitle>T.</ArticleTitle>"
        '</Article><OtherAbstract Language="spa"><AbstractText>Resumen.</AbstractText>'
        '</OtherAbstract><KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="Y">alpha</Keyword>'
        "<Keyword>beta</Keyword></KeywordList><InvestigatorList><Investigator>"
        "<LastName>Ray</LastName><ForeName>Ann</ForeName><Initials>A</Initials>"
        "<AffiliationInfo><Affiliation>D.</Affiliation></AffiliationInfo></Investigator>"
        "</InvestigatorList></MedlineCitation></PubmedArticle>"
    )
    lines = medline_fields(record)
    assert lines[2:] == [
        ("OAB", "Resumen."),
        ("OABL", "spa"),
        ("OTO", "NOTNLM"),
        ("OT", "*alpha"),
        ("OT", "beta"),
        ("FIR", "Ray, Ann"),
        ("IR", "Ray A"),
        ("IRAD", "D."),
    ]

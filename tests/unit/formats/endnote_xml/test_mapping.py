"""An EndNote XML record as a Reference: types, roles and fields per type."""

from __future__ import annotations

import pytest
from lxml import etree

from refman.formats.endnote_xml import mapping
from refman.model import AUTHOR, EDITOR, ITEM_TYPES, TAG_KEYWORD, Creator, Issn, PartialDate, Tag
from tests.unit.formats.endnote_xml.conftest import one


def ref_type(xml: str) -> mapping.RefType:
    return mapping.ref_type(etree.fromstring(xml))


def test_every_endnote_reference_type_is_one_of_refmans_item_types():
    assert set(mapping.ITEM_TYPES.values()) <= set(ITEM_TYPES)
    assert {name.lower() for name in mapping.TYPE_NUMBERS.values()} <= set(mapping.ITEM_TYPES)


@pytest.mark.parametrize(
    ("name", "item_type", "publication_types"),
    [
        ("Journal Article", "article-journal", ()),
        ("Newspaper Article", "article-journal", ("Newspaper Article",)),
        ("Magazine Article", "article-journal", ("Magazine Article",)),
        ("Book", "book", ()),
        ("Edited Book", "book", ("Edited Book",)),
        ("Book Section", "chapter", ()),
        ("Encyclopedia", "chapter", ("Encyclopedia",)),
        ("Conference Proceedings", "paper-conference", ()),
        ("Conference Paper", "paper-conference", ()),
        ("Report", "report", ()),
        ("Government Document", "report", ("Government Document",)),
        ("Thesis", "thesis", ()),
        ("Dataset", "dataset", ()),
        ("Web Page", "webpage", ()),
        ("Blog", "webpage", ("Blog",)),
        ("Unpublished Work", "article", ()),
        ("Manuscript", "article", ("Manuscript",)),
        ("Generic", "document", ()),
        ("Patent", "document", ("Patent",)),
        ("Computer Program", "document", ("Computer Program",)),
    ],
)
def test_the_type_name_decides_and_a_broader_type_keeps_endnotes_name(
    name, item_type, publication_types
):
    kind = ref_type(f'<ref-type name="{name}">99</ref-type>')
    assert (kind.item_type, kind.publication_types) == (item_type, publication_types)


def test_the_number_decides_when_the_name_is_missing_or_translated():
    assert ref_type("<ref-type>17</ref-type>").item_type == "article-journal"
    kind = ref_type('<ref-type name="Zeitschriftenartikel">23</ref-type>')
    assert (kind.name, kind.item_type, kind.known) == ("Newspaper Article", "article-journal", True)


def test_the_name_wins_over_an_old_numbering():
    """EndNote before version 8 numbered types otherwise (Zotero case 01: Report is 10, which
    is now Conference Proceedings)."""
    assert ref_type('<ref-type name="Report">10</ref-type>').item_type == "report"


def test_an_unknown_type_is_a_document_said_to_be_unknown():
    kind = ref_type('<ref-type name="Hologram">999</ref-type>')
    assert (kind.item_type, kind.known, kind.publication_types) == ("document", False, ())


JOURNAL_ARTICLE = """
<ref-type name="Journal Article">17</ref-type>
<contributors>
  <authors><author>Smith, Jane A.</author><author>Group on Things,</author></authors>
  <secondary-authors><author>Editor, Ed</author></secondary-authors>
</contributors>
<titles><title>A <style face="italic">title</style></title>
  <secondary-title>Nature</secondary-title><alt-title>Nature (alt)</alt-title>
  <short-title>A title</short-title></titles>
<periodical><full-title>Nature</full-title><abbr-1>Nature</abbr-1></periodical>
<pages>475-82</pages><volume>12</volume><number>3</number>
<keywords><keyword>Humans</keyword><keyword>Cells/*metabolism</keyword>
  <keyword>Humans</keyword></keywords>
<dates><year>2013</year><pub-dates><date>Jul 4</date></pub-dates></dates>
<isbn>0028-0836 (Print)&#xD;0028-0836 (Linking)</isbn>
<accession-num>23812345</accession-num>
<electronic-resource-num>10.1038/nature12345</electronic-resource-num>
<abstract>First line.&#xD;Second line.</abstract>
<notes>A note EndNote kept.</notes><label>smith2013</label>
<custom2>PMC3700000</custom2>
<remote-database-name>PubMed</remote-database-name>
<remote-database-provider>NLM</remote-database-provider>
<language>eng</language>
<urls><pdf-urls><url>internal-pdf://smith.pdf</url></pdf-urls>
  <related-urls><url>https://www.ncbi.nlm.nih.gov/pubmed/23812345</url></related-urls></urls>
"""


def test_a_journal_article_from_endnotes_pubmed_import_keeps_every_field():
    ref = one(JOURNAL_ARTICLE)
    assert ref.item_type == "article-journal"
    assert ref.title == "A title"
    assert ref.container_title == "Nature" and ref.container_title_short == "Nature"
    assert (ref.volume, ref.issue, ref.pages) == ("12", "3", "475-482")
    assert ref.date == PartialDate(2013, 7, 4, "2013 Jul 4")
    assert ref.issns == (Issn("0028-0836", "Print"),) and ref.isbn == ""
    assert (ref.pmid, ref.pmcid, ref.doi) == ("23812345", "PMC3700000", "10.1038/nature12345")
    assert ref.abstract == "First line. Second line."
    assert ref.language == "eng"
    assert ref.url == "https://www.ncbi.nlm.nih.gov/pubmed/23812345"
    assert ref.creators == (
        Creator("Smith", "Jane A.", role=AUTHOR),
        Creator(literal="Group on Things", role=AUTHOR),
        Creator("Editor", "Ed", role=EDITOR),
    )
    assert ref.tags == (Tag("Humans", TAG_KEYWORD), Tag("Cells/*metabolism", TAG_KEYWORD))


def test_what_refman_has_no_field_for_stays_in_the_source_record():
    ref = one(JOURNAL_ARTICLE)
    assert ref.source_format == "endnote-xml"
    ((tag, xml),) = ref.source_record
    assert tag == "record" and xml.startswith("<record>") and xml.endswith("</record>")
    for kept in ("A note EndNote kept.", "smith2013", "<short-title>A title</short-title>"):
        assert kept in xml
    assert etree.fromstring(xml).findtext("pages") == "475-82"  # as EndNote held it


def test_a_book_section_has_its_book_as_container_its_series_and_its_editors():
    ref = one(
        '<ref-type name="Book Section">5</ref-type><contributors>'
        "<authors><author>Mares, Isabela</author></authors>"
        "<secondary-authors><author>Hall, Peter A</author></secondary-authors>"
        "<tertiary-authors><author>Series, Sam</author></tertiary-authors>"
        "<subsidiary-authors><author>Trans, Tom</author></subsidiary-authors></contributors>"
        "<titles><title>Firms</title><secondary-title>Varieties</secondary-title>"
        "<tertiary-title>Studies in Things</tertiary-title></titles>"
        "<pages>184-213</pages><number>4</number><publisher>OUP</publisher>"
        "<pub-location>New York</pub-location><isbn>0199247757</isbn>"
    )
    assert (ref.item_type, ref.container_title, ref.collection_title) == (
        "chapter",
        "Varieties",
        "Studies in Things",
    )
    assert [(c.family, c.role) for c in ref.creators] == [
        ("Mares", "author"),
        ("Hall", "editor"),
        ("Series", "collection-editor"),
        ("Trans", "translator"),
    ]
    assert (ref.pages, ref.issue, ref.isbn) == ("184-213", "", "0199247757")
    assert (ref.publisher, ref.place) == ("OUP", "New York")


def test_a_book_has_a_series_not_a_container_and_its_pages_are_a_count():
    ref = one(
        '<ref-type name="Book">6</ref-type><contributors>'
        "<secondary-authors><author>Hancké, Bob</author></secondary-authors>"
        "<tertiary-authors><author>Ed, Ted</author></tertiary-authors></contributors>"
        "<titles><title>Beyond</title><secondary-title>Series Title</secondary-title></titles>"
        "<pages>312</pages><number>7</number>"
    )
    assert (ref.container_title, ref.collection_title) == ("", "Series Title")
    assert (ref.pages, ref.issue) == ("", "")
    assert [c.role for c in ref.creators] == ["collection-editor", "editor"]


def test_an_edited_books_authors_are_its_editors():
    ref = one(
        '<ref-type name="Edited Book">28</ref-type>'
        "<contributors><authors><author>Hall, Peter A</author></authors></contributors>"
        "<titles><title>Varieties</title></titles>"
    )
    assert [c.role for c in ref.creators] == ["editor"]


def test_a_web_page_has_its_site_as_container_and_its_address():
    ref = one(
        '<ref-type name="Web Page">12</ref-type><titles><title>CSL</title>'
        "<secondary-title>Citation Style Editor</secondary-title></titles>"
        "<urls><web-urls><url>file:///C:/x.html</url>"
        "<url>http://editor.citationstyles.org/</url></web-urls></urls>"
    )
    assert ref.container_title == "Citation Style Editor"
    assert ref.url == "http://editor.citationstyles.org/"


def test_a_pdf_on_the_web_is_the_address_when_there_is_no_other():
    ref = one(
        "<titles><title>T</title></titles><urls><pdf-urls><url>internal-pdf://a.pdf</url>"
        "<url>https://example.org/a.pdf</url></pdf-urls></urls>"
    )
    assert ref.url == "https://example.org/a.pdf"


def test_a_personal_communications_secondary_author_is_its_recipient():
    ref = one(
        '<ref-type name="Personal Communication">26</ref-type><titles><title>Letter</title>'
        "</titles><contributors><authors><author>Darwin, Charles</author></authors>"
        "<secondary-authors><author>Hooker, Joseph</author></secondary-authors></contributors>"
    )
    assert [c.role for c in ref.creators] == ["author", "recipient"]
    assert ref.publication_types == ("Personal Communication",)


def test_a_keyword_holding_several_lines_is_several_tags():
    ref = one("<titles><title>T</title></titles><keywords><keyword>a&#xD;b\nc</keyword></keywords>")
    assert [t.name for t in ref.tags] == ["a", "b", "c"]


def test_a_record_without_a_type_is_a_document():
    assert one("<titles><title>T</title></titles>").item_type == "document"


def test_a_wos_accession_number_is_not_a_pmid():
    ref = one(
        "<titles><title>T</title></titles><accession-num>WOS:000312345600012</accession-num>"
        "<remote-database-name>Web of Science</remote-database-name>"
    )
    assert ref.pmid == ""

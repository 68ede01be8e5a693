"""The root element of an XML file from its first bytes (refman.formats.xml_sniff)."""

import codecs

import pytest

from refman.formats.xml_sniff import root_tag

DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.mark.parametrize(
    "head, root",
    [
        ("<set><rec/></set>", "set"),
        (DECL + "<set>", "set"),
        (DECL + "<!-- a comment <set2> -->\n<?pi x?>\n<set>", "set"),
        (DECL + '<!DOCTYPE set PUBLIC "-//X//EN" "http://x/set.dtd">\n<set>', "set"),
        (DECL + '<!DOCTYPE set [<!ENTITY a "<b>">]>\n<set>', "set"),
        (DECL + "<!DOCTYPE set [" + '<!ENTITY a "b">' * 500, "set"),  # cut in the subset
        (DECL + "<xml><records>", "xml"),
        ("  \n<pmc-articleset>", "pmc-articleset"),
        ("", None),
        ("PMID- 1\n", None),
        ("@article{x,", None),
        (DECL, None),
    ],
)
def test_the_root_element_is_named(head, root):
    assert root_tag(head.encode()) == root


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode(),
        lambda t: t.encode("utf-16"),
        lambda t: t.encode("utf-16-le"),
        lambda t: t.encode("utf-16-be"),
        lambda t: t.encode("utf-32"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be", "utf-32-bom"],
)
def test_the_root_is_found_in_every_encoding_an_xml_file_comes_in(encode):
    assert root_tag(encode(DECL + "<set>")) == "set"


def test_a_head_cut_inside_a_character_still_names_the_root():
    head = (DECL + "<set><rec>é").encode()[:-1]
    assert root_tag(head) == "set"

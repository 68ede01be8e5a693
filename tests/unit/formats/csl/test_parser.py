"""Style files parsed into our element classes."""

import pytest

from refman.formats.csl import elements, name_elements
from refman.formats.csl.locale import q
from refman.formats.csl.parser import element_classes, parse_style
from refman.model import RefmanError


def test_every_element_is_built_as_our_class(small_style):
    layout = (
        '<group><names variable="author"><name/><et-al/></names>'
        '<date variable="issued"><date-part name="year"/></date></group><unknown/>'
    )
    root = small_style(layout).engine.root
    assert isinstance(root, elements.Style)
    group = root.find(q("bibliography")).find(q("layout")).find(q("group"))
    assert isinstance(group, elements.Group)
    assert isinstance(group.find(q("names")), name_elements.Names)
    assert isinstance(group.find(q("names")).find(q("et-al")), name_elements.Et_Al)
    assert isinstance(group.find(q("date")).find(q("date-part")), elements.Date_Part)
    unknown = root.find(q("bibliography")).find(q("layout")).find(q("unknown"))
    assert type(unknown) is elements.Element


def test_the_lookup_names_each_csl_element_by_its_tag():
    classes = element_classes()
    assert classes["else-if"] is elements.Else_If
    assert classes["name-part"] is name_elements.Name_Part
    assert {"style", "citation", "bibliography", "layout", "text", "names"} <= set(classes)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.xml", "<html/>", "is not a CSL style"),
        ("broken.csl", "<style", "Cannot read the style"),
        ("missing.csl", None, "Cannot read the style"),
    ],
)
def test_a_file_that_is_not_a_style_is_a_plain_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(RefmanError, match=message):
        parse_style(str(path))

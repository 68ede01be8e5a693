"""Style files parsed into our element classes.

lxml builds each element of a style as the class that a lookup names for its tag: the lookup
here maps every CSL element to our subclass of citeproc-py's class (elements, name_elements),
so citeproc-py's own parser and classes are never changed. The lookup is private to our parser.
"""

from __future__ import annotations

from lxml import etree

from refman.formats.csl.elements import (
    Bibliography,
    Choose,
    Citation,
    Date,
    Date_Part,
    Element,
    Else,
    Else_If,
    Group,
    If,
    Label,
    Layout,
    Macro,
    Number,
    Style,
    Text,
)
from refman.formats.csl.locale import NS, q
from refman.formats.csl.name_elements import Et_Al, Name, Name_Part, Names, Substitute
from refman.model import RefmanError


def element_classes() -> dict[str, type]:
    """Our element class for each CSL tag."""
    classes = [
        Style,
        Citation,
        Bibliography,
        Macro,
        Layout,
        Group,
        Choose,
        If,
        Else_If,
        Else,
        Text,
        Number,
        Label,
        Date,
        Date_Part,
        Names,
        Name,
        Name_Part,
        Et_Al,
        Substitute,
    ]
    return {cls.__name__.replace("_", "-").lower(): cls for cls in classes}


def parse_style(path: str) -> Style:
    """Parse a style file with our element classes (a lookup private to this parser)."""
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(NS)
    namespace[None] = Element
    namespace.update(element_classes())
    parser = etree.XMLParser(remove_comments=True, encoding="utf-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    try:
        root: Style = etree.parse(path, parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise RefmanError(f"Cannot read the style {path}: {exc}") from None
    if root.tag != q("style"):
        raise RefmanError(f"{path} is not a CSL style")
    return root

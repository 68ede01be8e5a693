"""The CSL name elements (cs:names, cs:name, cs:et-al, cs:name-part, cs:substitute) as blobs.

Name options inherit from cs:citation / cs:bibliography and cs:style. A name list is cut to
``et-al-use-first`` names when it has ``et-al-min`` or more, followed by the et-al term (or by an
ellipsis and the last name with ``et-al-use-last``); "and" joins the last name as the style
says; ``delimiter-precedes-*`` follow CSL 1.0.2. How each name is written (inverted or not,
particles, initials) is decided here from the parts that names parsed.
"""

from __future__ import annotations

from collections.abc import Sequence

from citeproc import model as cp

from refman.formats.csl.blob import Blob, group, leaf, wrap
from refman.formats.csl.context import FORMAT_ATTRIBUTES, Ctx, XmlElement, apply_format, formatted
from refman.formats.csl.disambiguation import RenderState
from refman.formats.csl.elements import Element, Label
from refman.formats.csl.locale import q
from refman.formats.csl.names import PersonName, initialize, is_romanesque, uninitialize

_EDITOR_TRANSLATOR = {"editor", "translator"}


class Names(Element, cp.Names):
    def blob(self, ctx: Ctx) -> Blob | None:
        started = ctx.started
        rendered = self.render(ctx, self)
        if rendered is not None:
            rendered.role = "names"
            if _suppress_author(ctx, started):
                ctx.suppressed_names = rendered.plain()
                return None
        return rendered

    def render(self, ctx: Ctx, source: Names) -> Blob | None:
        """Render this element's variables with the cs:name/et-al/label children of
        ``source`` (itself, or the cs:names a shorthand ``<names/>`` in cs:substitute sits in)."""
        variables = [
            v
            for v in self.attrs().get("variable", "").split()
            if v not in ctx.suppressed and ctx.item.names.get(v)
        ]
        for variable in self.attrs().get("variable", "").split():
            ctx.note(variable, variable in variables)
        if not variables:
            return self._substitute(ctx)
        name_el = source.find(q("name"))
        if (name_el.get("form") if name_el is not None else None) == "count" or ctx.inherit(
            name_el, "name-form"
        ) == "count":
            return self._count(ctx, variables, name_el)
        lists = _merge_editor_translator(ctx, variables)
        rendered = [self._one_variable(ctx, source, name_el, role, names) for role, names in lists]
        delimiter = self.attrs().get("delimiter") or ctx.inherit(None, "names-delimiter", "") or ""
        return apply_format(ctx, group(rendered, delimiter), self.fmt())

    def _one_variable(
        self,
        ctx: Ctx,
        source: Names,
        name_el: XmlElement,
        role: str,
        names: list[PersonName],
    ) -> Blob | None:
        rendered = render_name_list(ctx, name_el, source.find(q("et-al")), names)
        label = source.find(q("label"))
        if rendered is None or label is None or ctx.sorting is not None:
            return rendered
        term = label.term_blob(ctx, role, len(names) > 1) if isinstance(label, Label) else None
        children = list(source.iterchildren())
        before = (
            label is not None
            and name_el is not None
            and children.index(label) < children.index(name_el)
        )
        return group([term, rendered] if before else [rendered, term])

    def _count(self, ctx: Ctx, variables: list[str], name_el: XmlElement) -> Blob | None:
        total = sum(len(_shown(ctx, name_el, ctx.item.names[v])[0]) for v in variables)
        return apply_format(ctx, leaf(str(total)), self.fmt()) if total else None

    def _substitute(self, ctx: Ctx) -> Blob | None:
        substitute = self.find(q("substitute"))
        if substitute is None:
            return None
        for child in substitute.iterchildren():
            mark = len(ctx.rendered_variables)
            if isinstance(child, Names) and child.find(q("name")) is None:
                rendered = child.render(ctx, self)
            elif isinstance(child, Element):
                rendered = child.blob(ctx)
            else:
                continue
            if rendered is not None and not rendered.is_empty():
                # CSL: substituted variables are suppressed in the rest of the output.
                ctx.suppressed.update(ctx.rendered_variables[mark:])
                return apply_format(ctx, rendered, self.fmt())
        return None


def _suppress_author(ctx: Ctx, started: bool) -> bool:
    """suppress-author: citeproc-js leaves out the first names a cite prints (or what stands
    for them) when nothing was printed before them; the rest of the cite prints."""
    cite = ctx.cite
    if cite is None or not cite.suppress_author or ctx.author_suppressed or started:
        return False
    if ctx.in_bibliography or ctx.sorting is not None:
        return False
    ctx.author_suppressed = True
    return True


def _merge_editor_translator(ctx: Ctx, variables: list[str]) -> list[tuple[str, list[PersonName]]]:
    """Editor and translator who are the same people print once, as "editortranslator"."""
    names = ctx.item.names
    if set(variables) >= _EDITOR_TRANSLATOR:
        editors = [n.key() for n in names["editor"]]
        if editors == [n.key() for n in names["translator"]]:
            ordered = [v for v in variables if v != "translator"]
            return [("editortranslator" if v == "editor" else v, names[v]) for v in ordered]
    return [(v, names[v]) for v in variables]


class Name(Element, cp.Name):
    pass


class Name_Part(Element, cp.Name_Part):
    pass


class Et_Al(Element, cp.Et_Al):
    pass


class Substitute(Element, cp.Substitute):
    pass


# --- Name lists ----------------------------------------------------------------------------------


def _int_option(ctx: Ctx, name_el: XmlElement, option: str) -> int:
    value = ctx.inherit(name_el, option)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _shown(
    ctx: Ctx, name_el: XmlElement, names: list[PersonName]
) -> tuple[list[PersonName], bool, bool]:
    """The names printed, whether "et al." follows, and whether the last name closes the list."""
    et_al_min = _int_option(ctx, name_el, "et-al-min")
    use_first = _int_option(ctx, name_el, "et-al-use-first") or 1
    if not et_al_min or len(names) < et_al_min or use_first >= len(names):
        return names, False, False
    use_last = ctx.inherit(name_el, "et-al-use-last") == "true" and use_first <= len(names) - 2
    return names[:use_first], True, use_last


def _delimiter_before(
    option: str | None, default: str, count: int, inverted: bool, threshold: int
) -> bool:
    rule = option or default
    if rule == "always":
        return True
    if rule == "after-inverted-name":
        return inverted
    if rule == "contextual":
        return count >= threshold
    return False


def _et_al_blob(ctx: Ctx, et_al_el: XmlElement) -> Blob | None:
    term_name = et_al_el.get("term", "et-al") if et_al_el is not None else "et-al"
    term = ctx.style.locale.term(term_name)
    if not term:
        return None
    attrs = dict(et_al_el.attrib) if et_al_el is not None else {}
    return formatted(ctx, leaf(term), attrs)


def _disambiguated(
    ctx: Ctx, dis: RenderState, name_el: XmlElement, names: list[PersonName]
) -> tuple[list[PersonName], bool, bool, list[int | None]]:
    """``_shown`` under the document's disambiguation settings (``dis``), with each name's
    given-name level (the levels first: citeproc-js registers and levels names before it cuts
    the list)."""
    pos = dis.next_nameset(len(names))
    levels = dis.levels(names, pos, _form(ctx, name_el), ctx.inherit(name_el, "initialize-with"))
    et_al_min = _int_option(ctx, name_el, "et-al-min")
    count = dis.shown(len(names), pos, et_al_min, _int_option(ctx, name_el, "et-al-use-first") or 1)
    if count >= len(names):
        return names, False, False, levels
    use_last = ctx.inherit(name_el, "et-al-use-last") == "true" and count <= len(names) - 2
    return names[:count], True, use_last, levels


def render_name_list(
    ctx: Ctx, name_el: XmlElement, et_al_el: XmlElement, names: list[PersonName]
) -> Blob | None:
    levels: list[int | None] | None
    if ctx.dis is not None and ctx.sorting is None:
        shown, et_al, use_last, levels = _disambiguated(ctx, ctx.dis, name_el, names)
    else:
        (shown, et_al, use_last), levels = _shown(ctx, name_el, names), None
    own = name_el.get("delimiter") if name_el is not None else None
    delimiter = own if own is not None else ctx.inherit(None, "name-delimiter", ", ")
    blobs = [
        _name_blob(ctx, name_el, name, i, levels[i] if levels else None)
        for i, name in enumerate(shown)
    ]
    inverted_last = _is_inverted(ctx, name_el, len(shown) - 1)
    if use_last:
        tail = wrap(_name_blob(ctx, name_el, names[-1], len(names) - 1), prefix=delimiter + "… ")
        parts = _joined(blobs, delimiter) + [tail]
    elif et_al and ctx.sorting is None:
        before = _delimiter_before(
            ctx.inherit(name_el, "delimiter-precedes-et-al"),
            "contextual",
            len(shown),
            inverted_last,
            2,
        )
        parts = _joined(blobs, delimiter) + [
            wrap(_et_al_blob(ctx, et_al_el), prefix=delimiter if before else " ")
        ]
    else:
        parts = _with_and(ctx, name_el, blobs, delimiter)
    attrs = {
        k: v
        for k, v in (name_el.attrib if name_el is not None else {}).items()
        if k in FORMAT_ATTRIBUTES or k in ("prefix", "suffix")
    }
    return formatted(ctx, group(parts), attrs)


def _joined(blobs: Sequence[Blob | None], delimiter: str) -> list[Blob | None]:
    return [b if i == 0 else wrap(b, prefix=delimiter) for i, b in enumerate(blobs)]


def _with_and(
    ctx: Ctx, name_el: XmlElement, blobs: list[Blob | None], delimiter: str
) -> list[Blob | None]:
    and_option = ctx.inherit(name_el, "and")
    if not and_option or len(blobs) < 2 or ctx.sorting is not None:
        return _joined(blobs, delimiter)
    word = "&" if and_option == "symbol" else (ctx.style.locale.term("and") or "and")
    before = _delimiter_before(
        ctx.inherit(name_el, "delimiter-precedes-last"),
        "contextual",
        len(blobs),
        _is_inverted(ctx, name_el, len(blobs) - 2),
        3,
    )
    last = wrap(blobs[-1], prefix=(delimiter if before else " ") + word + " ")
    return _joined(blobs[:-1], delimiter) + [last]


def _is_inverted(ctx: Ctx, name_el: XmlElement, index: int) -> bool:
    if ctx.sorting is not None:
        return True
    order = ctx.inherit(name_el, "name-as-sort-order")
    return order == "all" or (order == "first" and index == 0)


# --- One name ------------------------------------------------------------------------------------


def _part_attrs(name_el: XmlElement, part: str) -> dict[str, str]:
    if name_el is None:
        return {}
    for el in name_el.iterchildren(q("name-part")):
        if el.get("name") == part:
            return dict(el.attrib)
    return {}


def _styled(ctx: Ctx, text: str, attrs: dict[str, str]) -> Blob | None:
    """A name part with its name-part formatting and text-case but not its affixes."""
    if not text:
        return None
    plain = {k: v for k, v in attrs.items() if k not in ("prefix", "suffix", "name")}
    return formatted(ctx, leaf(text), plain)


def _affixed(blobs: list[Blob | None], attrs: dict[str, str], delimiter: str = " ") -> Blob | None:
    return wrap(group(blobs, delimiter), attrs.get("prefix", ""), attrs.get("suffix", ""))


def _given_text(ctx: Ctx, name_el: XmlElement, name: PersonName) -> str:
    terminator = ctx.inherit(name_el, "initialize-with")
    if terminator is None:
        return uninitialize(name.given)
    hyphen = ctx.style.root.get("initialize-with-hyphen", "true") != "false"
    if ctx.inherit(name_el, "initialize", "true") == "false":
        normal = initialize(
            name.given, terminator, hyphen=hyphen, normalize_only=True, family=name.family
        )
        return uninitialize(normal)
    return initialize(name.given, terminator, hyphen=hyphen, family=name.family)


def _form(ctx: Ctx, name_el: XmlElement) -> str:
    own = name_el.get("form") if name_el is not None else None
    return own or ctx.inherit(None, "name-form", "long")


def _level_given(
    ctx: Ctx, name_el: XmlElement, name: PersonName, form: str, level: int
) -> tuple[bool, str]:
    """Whether the given name prints at a disambiguation ``level`` (0 family only, 1 initials,
    2 in full; never less than the style's own form), and its text (citeproc-js
    ``_givenName``)."""
    initials = ctx.inherit(name_el, "initialize-with")
    default = 0 if form == "short" else 1 if initials is not None else 2
    level = max(level, default)
    if level == 0:
        return False, ""
    if level == 2:
        return True, uninitialize(name.given)
    if initials is not None:
        return True, _given_text(ctx, name_el, name)
    rule = ctx.dis.doc.rule if ctx.dis is not None else ""
    if rule.endswith("-with-initials"):
        hyphen = ctx.style.root.get("initialize-with-hyphen", "true") != "false"
        return True, initialize(name.given, "", hyphen=hyphen, family=name.family)
    return True, uninitialize(name.given)


def _name_blob(
    ctx: Ctx, name_el: XmlElement, name: PersonName, index: int, level: int | None = None
) -> Blob | None:
    if name.is_literal:
        return leaf(name.literal or name.family or name.given)
    form = _form(ctx, name_el)
    if ctx.sorting is not None:
        # citeproc-js sorts on the given name as the style prints it (initials or in full).
        given = _given_text(ctx, name_el, name)
        return leaf(sort_text(ctx.style.root.get("demote-non-dropping-particle"), name, given))
    family_attrs, given_attrs = _part_attrs(name_el, "family"), _part_attrs(name_el, "given")
    if level is None:
        with_given, given = form != "short", _given_text(ctx, name_el, name)
    else:
        with_given, given = _level_given(ctx, name_el, name, form, level)
    parts = _Parts(ctx, name, family_attrs, given_attrs, given)
    if not with_given or not parts.given:
        return parts.family_only()
    if not is_romanesque(name):
        return group([parts.family, parts.given])
    if _is_inverted(ctx, name_el, index):
        sort_separator = ctx.inherit(name_el, "sort-separator", ", ")
        return parts.inverted(sort_separator)
    return parts.natural()


def sort_text(demote: str | None, name: PersonName, given: str | None = None) -> str:
    """A name as a sort key: family name first, the particle where the style demotes it."""
    if name.is_literal:
        return name.literal or name.family or name.given
    given = name.given if given is None else given
    if demote == "never":
        head = [name.non_dropping_particle, name.family, name.dropping_particle]
        tail = [given]
    else:
        head = [name.family]
        tail = [given, name.dropping_particle, name.non_dropping_particle]
    return " ".join(p for p in head + tail + [name.suffix] if p)


def _joins_tight(particle: str) -> bool:
    return particle[-1:] in ("'", "\u2019", "-", " ")


class _Parts:
    """The styled pieces of one person's name."""

    def __init__(
        self,
        ctx: Ctx,
        name: PersonName,
        family_attrs: dict[str, str],
        given_attrs: dict[str, str],
        given: str,
    ):
        self.ctx = ctx
        self.name = name
        self.family_attrs, self.given_attrs = family_attrs, given_attrs
        self.family = _styled(ctx, name.family, family_attrs)
        self.ndp = _styled(ctx, name.non_dropping_particle, family_attrs)
        self.dp = _styled(ctx, name.dropping_particle, given_attrs)
        self.given = _styled(ctx, given, given_attrs)
        self.suffix = leaf(name.suffix) if name.suffix else None

    def _particle_family(self) -> Blob | None:
        tight = _joins_tight(self.name.non_dropping_particle)
        return group([self.ndp, self.family], "" if tight else " ")

    def family_only(self) -> Blob | None:
        return _affixed([self._particle_family()], self.family_attrs)

    def natural(self) -> Blob | None:
        family = self._particle_family()
        if self.dp is not None:
            tight = _joins_tight(self.name.dropping_particle) and self.ndp is None
            family = group([self.dp, family], "" if tight else " ")
        if self.suffix is not None:
            family = group([family, self.suffix], ", " if self.name.comma_suffix else " ")
        return group(
            [_affixed([self.given], self.given_attrs), _affixed([family], self.family_attrs)], " "
        )

    def inverted(self, separator: str) -> Blob | None:
        demote = self.ctx.style.root.get("demote-non-dropping-particle", "display-and-sort")
        if demote == "display-and-sort":
            first = _affixed([self.family], self.family_attrs)
            second = _affixed([self.given, self.dp, self.ndp], self.given_attrs)
        else:
            first = _affixed([self._particle_family()], self.family_attrs)
            second = _affixed([self.given, self.dp], self.given_attrs)
        return group([first, second, self.suffix], separator)

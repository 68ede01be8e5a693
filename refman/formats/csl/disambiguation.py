"""Disambiguation of citations: more names, given names, ``disambiguate="true"``, year suffixes.

This is citeproc-js's algorithm (its ``CSL.Disambiguation`` and name registry), ported step for
step, because the output must match Zotero's and citeproc-js's results depend on its exact
procedure, not only on the CSL specification:

* A ``Document`` registers items in the order they are first cited, citation by citation, as
  Zotero's ``processCitationCluster`` does. Each new item gets an *ambiguity key*: its cite
  rendered plainly with the style's defaults. After each citation, every key that a new item
  joined is disambiguated (``Disambiguator.run``): the items sharing it are rendered again with
  more names (``disambiguate-add-names``), then with fuller given names (``by-cite``), then with
  the ``disambiguate="true"`` branches, and whatever still clashes gets year suffixes in
  bibliography order. The settings reached are an ``AmbigConfig`` per item.
* With ``givenname-disambiguation-rule`` other than ``by-cite``, given names are expanded
  globally: a ``NameRegistry`` of every name cited decides, name by name, whether an initial or
  the full given name is needed (``level``), whatever the cite it appears in.

Names are rendered under a config by name_elements (``Disambiguation`` in the context); this
module only decides the configs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from refman.formats.csl.names import PersonName, initialize

FULL, INITIALS, FAMILY = 2, 1, 0  # given-name levels, as citeproc-js numbers them


@dataclass
class AmbigConfig:
    """How one item's cite is rendered: names shown per name list, given-name level per name,
    year suffix (0 for "a") and how many ``disambiguate="true"`` tests pass."""

    names: list[int] = field(default_factory=list)
    givens: list[list[int | None]] = field(default_factory=list)
    year_suffix: int | None = None
    disambiguate: int = 0

    def clone(self) -> AmbigConfig:
        return AmbigConfig(
            list(self.names), [list(g) for g in self.givens], self.year_suffix, self.disambiguate
        )

    def pad(self) -> None:
        """Every shown name gets a given-name level (0 where none is set)."""
        for i, count in enumerate(self.names):
            while len(self.givens) <= i:
                self.givens.append([])
            for j in range(count):
                if j >= len(self.givens[i]) or not self.givens[i][j]:
                    _put(self.givens[i], j, 0)


def _put(values: list[Any], index: int, value: object) -> None:
    """``values[index] = value``, the list padded with None first (a JavaScript array)."""
    while len(values) <= index:
        values.append(None)
    values[index] = value


def _strip_periods(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(".", " ")).rstrip()


def _le(a: int | None, b: int | None) -> bool:
    """JavaScript's ``a <= b`` where None is ``undefined`` (never comparable)."""
    return a is not None and b is not None and a <= b


class NameRegistry:
    """Every cited name by family name, initials and given name (citeproc-js ``NameReg``)."""

    def __init__(self, rule: str, add_givenname: bool, demote_never: bool) -> None:
        self.rule = rule
        self.add_givenname = add_givenname
        self.demote_never = demote_never
        self.names: dict[str, dict[str, set[str]]] = {}

    def _keys(self, item_id: str, name: PersonName) -> tuple[str, str, str]:
        family = _strip_periods(name.family)
        if self.demote_never and name.non_dropping_particle and name.family:
            family = f"{family} {name.non_dropping_particle}"
        given = _strip_periods(name.given)
        tail = re.search(r"[,!]* ([^,]+)$", given)
        if tail and tail.group(1) == tail.group(1).lower():
            given = re.sub(r"[,!]* [^,]+$", "", given)
        initials = initialize(given, "%s", family=name.family)
        if self.rule == "by-cite":
            family = item_id + family
        return family, initials, given

    def add(self, item_id: str, name: PersonName, index: int) -> None:
        if self.rule.startswith("primary-") and index:
            return
        family, initials, given = self._keys(item_id, name)
        if not family:
            return
        by_initials = self.names.setdefault(family, {})
        if initials:
            givens = by_initials.setdefault(initials, set())
            if given:
                givens.add(given)

    def level(
        self,
        item_id: str,
        name: PersonName,
        index: int,
        request: int | None,
        form: str,
        initials: str | None,
        registered: bool,
    ) -> int | None:
        """The given-name level a name needs (citeproc-js ``evalname``)."""
        level = FAMILY if form == "short" else INITIALS if initials is not None else FULL
        family, key, _ = self._keys(item_id, name)
        if family not in self.names or key not in self.names[family]:
            return level
        if self.rule == "by-cite" and _le(level, request):
            return request
        if not self.add_givenname or (self.rule.startswith("primary-name") and index > 0):
            return level
        count = len(self.names[family])
        if self.rule.endswith("-with-initials"):
            level = INITIALS if count > 1 else FAMILY
        else:
            if count > 1:
                level = INITIALS
            if len(self.names[family][key]) > 1 or (count > 1 and initials is None):
                level = FULL
        if registered:
            return level
        return FAMILY if form == "short" else INITIALS if initials is not None else None


@dataclass
class Token:
    """An item in the registry: its ambiguity key and disambiguation settings."""

    key: str
    config: AmbigConfig


# Renders an item's cite in a document plainly under a config (None: its registered one) and
# returns the text, the config as the rendering left it, the number of names of each name list,
# and the ``disambiguate="true"`` tests passed and met.
CiteRenderer = Callable[
    ["Document", str, AmbigConfig | None], tuple[str, AmbigConfig, list[int], tuple[int, int]]
]


class Disambiguator:
    """citeproc-js's ``CSL.Disambiguation``: resolves the items that share one ambiguity key."""

    base: AmbigConfig  # both set by the first _cite_data of _init
    better: AmbigConfig

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.modes = doc.modes

    def run(self, key: str) -> None:
        # A key held by one item has nothing to resolve (citeproc-js renders it once more,
        # which changes nothing the final rendering does not redo).
        if self.modes and len(self.doc.ambiguous.get(key, ())) > 1 and self._init(key):
            self._run()

    # --- setup ---

    def _cite_data(self, item_id: str, base: AmbigConfig | None) -> None:
        if item_id in self.max_names:
            return
        _, settings, max_names = self.doc.render(item_id, base)
        config = settings.clone()
        self.max_names[item_id] = max_names
        token = self.doc.tokens[item_id]
        token.config.givens = [list(g) for g in settings.givens]
        self.namesets_max = len(token.config.names) - 1
        if base is None:  # the first item (_init): nothing to compare it with yet
            self.base, self.better = config, config.clone()
        if len(config.names) < len(self.base.names):
            self.base = config
        for i, count in enumerate(config.names):
            if i < len(self.base.names) and count > self.base.names[i]:
                self.base.givens[i] = list(config.givens[i])
                self.base.names[i] = count
                self.better.names = list(self.base.names)
                self.better.givens = [list(g) for g in self.base.givens]
                self.base.pad()
                self.better.pad()
        self.better.givens = [list(g) for g in self.base.givens]

    def _init(self, key: str) -> bool:
        self.lists: list[tuple[AmbigConfig, list[str]]] = []
        self.max_names: dict[str, list[int]] = {}
        ids = self.doc.ambiguous[key]
        if not ids:
            return False
        self._cite_data(ids[0], None)
        self.base = self.doc.last_config.clone()
        if len(ids) > 1:
            for other in ids[1:]:
                self._cite_data(other, self.base)
            bundles = sorted(ids, key=lambda i: (self.max_names[i], i))
            self.lists.append((self.base, bundles))
            first = bundles[0]
        else:
            first = ids[0]
        self.mode = 0
        self.names_max = self.max_names[first][0] if self.max_names[first] else None
        self.base.pad()
        self.better.pad()
        self.base.year_suffix = self.better.year_suffix = None
        self.base.disambiguate = self.better.disambiguate = 0
        by_cite = self.doc.rule == "by-cite" and self.doc.add_givenname
        self.givens_max = FULL if by_cite else None
        return True

    # --- the loop ---

    def _run(self) -> None:
        self.init_givens = True
        while self.lists:
            self.gnameset = self.gname = 0
            self.clashes = [1, 0]
            while self.lists[0][1]:
                self.listpos = 0
                if self.base is None:
                    self.base = self.lists[0][0]
                maxed = self._increment()
                self._scan(self.lists[0])
                self._eval(maxed)
            self.lists = self.lists[1:]

    def _scan(self, entry: tuple[AmbigConfig, list[str]]) -> None:
        ids = entry[1]
        self.item = ids[0]
        mine = self.doc.render(self.item, self.base)[0]
        self.partners, self.nonpartners = [self.item], []
        clashes = 0
        for other in ids[1:]:
            if self.doc.render(other, self.base)[0] == mine:
                clashes += 1
                self.partners.append(other)
            else:
                self.nonpartners.append(other)
        self.clashes = [self.clashes[1], clashes]

    def _eval(self, maxed: bool) -> None:
        getattr(self, self.modes[self.mode])(maxed)
        if maxed:
            if self.mode < len(self.modes) - 1:
                self.mode += 1
            else:
                _put(self.lists, self.listpos + 1, (self.base, []))

    def _increment(self) -> bool:
        if self.init_givens:
            self.init_givens = False
            return False
        mode = self.modes[self.mode]
        if mode == "names":
            return self._increment_names()
        if mode == "extra_text":
            self.base.disambiguate += 1
            self.better.disambiguate += 1
        return False

    def _increment_names(self) -> bool:
        base, gs = self.base, self.gnameset
        more_names = self.givens_max is None
        more_namesets = self.names_max is None
        if self.givens_max is not None:
            level = base.givens[gs][self.gname] if base.givens and gs < len(base.givens) else None
            if level is not None and self.gname < len(base.givens[gs]) and level < self.givens_max:
                base.givens[gs][self.gname] = level + 1
            else:
                more_names = True
        if self.names_max is not None and more_names:
            if self.doc.add_names:
                more_namesets = False
                if self.gname < self.names_max:
                    base.names[gs] += 1
                    self.gname += 1
                else:
                    more_namesets = True
            else:
                more_namesets = True
        if more_namesets and self.gnameset < self.namesets_max:
            self.gnameset += 1
            _put(base.names, self.gnameset, 1)
            self.gname = 0
        return self._maxed()

    def _maxed(self) -> bool:
        gs, base = self.gnameset, self.base
        if not (self.namesets_max == -1 or gs == self.namesets_max):
            return False
        if self.doc.add_names and self.names_max is not None and self.gname != self.names_max:
            return False
        if self.givens_max is None or gs >= len(base.givens) or self.gname >= len(base.givens[gs]):
            return True
        level = base.givens[gs][self.gname]
        return level is None or level == self.givens_max

    # --- modes ---

    def _capture(self) -> None:
        base, better = self.base, self.better
        if self.doc.rule == "by-cite" and base.givens:
            gs = base.givens[self.gnameset] if self.gnameset < len(base.givens) else []
            if self.gname < len(gs) and gs[self.gname] is not None:
                if len(better.givens) < len(base.givens):
                    better.givens = [list(g) for g in base.givens]
                _put(better.givens[self.gnameset], self.gname, gs[self.gname])
        _put(better.names, self.gnameset, base.names[self.gnameset])

    def names(self, maxed: bool) -> None:
        register = self.doc.register
        if self.clashes[1] == 0 and len(self.nonpartners) == 1:
            self._capture()
            register(self.nonpartners[0], self.better)
            register(self.partners[0], self.better)
            self.lists[self.listpos] = (self.better, [])
        elif self.clashes[1] == 0:
            self._capture()
            register(self.partners[0], self.better)
            self.lists[self.listpos] = (self.better, self.nonpartners)
            if self.nonpartners:
                self.init_givens = True
        elif len(self.nonpartners) == 1:
            self._capture()
            register(self.nonpartners[0], self.better)
            self.lists[self.listpos] = (self.better, self.partners)
        elif self.clashes[1] < self.clashes[0]:
            self._capture()
            self.lists[self.listpos] = (self.better, self.partners)
            self.lists.append((self.better, self.nonpartners))
        elif maxed:
            self.lists[self.listpos] = (self.better, self.nonpartners)
            self.lists.append((self.better, self.partners))
            if self.mode == len(self.modes) - 1:
                for item_id in self.partners:
                    register(item_id, self.better)
                self.lists[self.listpos] = (self.better, [])

    def extra_text(self, maxed: bool) -> None:
        done = self.clashes[1] == 0 and len(self.nonpartners) < 2
        count, top = self.doc.disambiguate_count, self.doc.disambiguate_max
        if not done and (not self.base.disambiguate or count != top):
            self.mode = 0
            self.base.disambiguate = self.better.disambiguate = count
            if not self.base.disambiguate:
                self.init_givens = True
                self.base.disambiguate = 1
            else:
                self.names(False)
            return
        entry = self.lists[self.listpos]
        if done or self.mode == len(self.modes) - 1:
            for item_id in entry[1]:
                self.doc.register(item_id, entry[0])
            self.lists[self.listpos] = (self.better, [])
        else:
            self.mode = len(self.modes) - 1
            entry[0].disambiguate = 1
            for item_id in entry[1]:
                self.doc.register(item_id, entry[0])

    def years(self, maxed: bool) -> None:
        base = self.lists[self.listpos][0]
        ids = self.lists[self.listpos][1] if self.clashes[1] else []
        for position, item_id in enumerate(self.doc.in_bibliography_order(ids)):
            base.year_suffix = position
            self.doc.register(item_id, base)
        self.lists[self.listpos] = (self.better, [])


class Document:
    """The items a document cites, with their disambiguation state."""

    def __init__(
        self,
        options: Mapping[str, str | None],
        render: CiteRenderer,
        bibliography_order: Callable[[list[str]], list[str]],
    ) -> None:
        self.rule = options.get("givenname-disambiguation-rule") or "by-cite"
        self.add_names = options.get("disambiguate-add-names") == "true"
        self.add_givenname = options.get("disambiguate-add-givenname") == "true"
        self.modes = _modes(options, self.add_names, self.add_givenname, self.rule)
        self.names = NameRegistry(self.rule, self.add_givenname, options.get("demote") == "never")
        self.tokens: dict[str, Token] = {}
        self.order: list[str] = []
        self.ambiguous: dict[str, list[str]] = {}
        self._render = render
        self._bibliography_order = bibliography_order
        self.last_config = AmbigConfig()
        self.disambiguate_count = self.disambiguate_max = 0

    def render(
        self, item_id: str, request: AmbigConfig | None
    ) -> tuple[str, AmbigConfig, list[int]]:
        """The plain cite of an item under ``request`` (its own config when None)."""
        text, settings, max_names, counts = self._render(self, item_id, request)
        self.last_config = settings.clone()
        self.disambiguate_count, self.disambiguate_max = counts
        return text, settings, max_names

    def register(self, item_id: str, config: AmbigConfig) -> None:
        token = self.tokens[item_id]
        ids = self.ambiguous.setdefault(token.key, [])
        if item_id not in ids:
            ids.append(item_id)
        token.config = config.clone()

    def in_bibliography_order(self, ids: list[str]) -> list[str]:
        wanted = set(ids)
        return [i for i in self._bibliography_order(self.order) if i in wanted]

    def cite(self, item_ids: list[str]) -> None:
        """Add one citation: register its new items, then disambiguate what they touched."""
        touched: list[str] = []
        for item_id in item_ids:
            if item_id in self.tokens:
                continue
            key = self.render(item_id, None)[0]
            self.order.append(item_id)
            self.tokens[item_id] = Token(key, AmbigConfig())
            self.register(item_id, self.last_config)
            if key not in touched:
                touched.append(key)
        for key in touched:
            Disambiguator(self).run(key)


def _modes(
    options: Mapping[str, str | None], add_names: bool, add_givenname: bool, rule: str
) -> list[str]:
    modes = []
    if add_names or (add_givenname and rule == "by-cite"):
        modes.append("names")
    if options.get("disambiguate-add-year-suffix") == "true":
        modes.append("years")
    if options.get("has-disambiguate"):
        modes.append("extra_text")
    return modes


class RenderState:
    """The disambiguation side of rendering one cite or entry (citeproc-js ``tmp.disambig_*``).

    ``request`` is the config asked for (None: none, the item is rendered with the defaults);
    ``settings`` is where the rendering records what it did (the request itself when there is
    one, as in citeproc-js). ``looking`` is a rendering made only to compare cites.
    """

    def __init__(
        self,
        doc: Document,
        item_id: str,
        request: AmbigConfig | None,
        settings: AmbigConfig,
        *,
        looking: bool,
        disambiguate: int = 0,
    ) -> None:
        self.doc = doc
        self.item_id = item_id
        self.request = request
        self.settings = settings
        self.looking = looking
        self.entry_disambiguate = disambiguate  # a bibliography entry's registered value
        self.pos = 0
        self.names_max: list[int] = []
        self.count = self.tests = 0

    def next_nameset(self, count: int) -> int:
        pos = self.pos
        self.pos += 1
        self.names_max.append(count)
        return pos

    def levels(
        self, names: list[PersonName], pos: int, form: str, initials: str | None
    ) -> list[int | None]:
        """The given-name level of each name of a list (citeproc-js ``_runDisambigNames``)."""
        doc, givens = self.doc, self.settings.givens
        while len(givens) <= pos:
            givens.append([])
        registered = self.item_id in doc.tokens
        out: list[int | None] = []
        for i, name in enumerate(names):
            if not name.given and not name.family:
                out.append(None)
                continue
            doc.names.add(self.item_id, name, i)

            def level(request: int | None, name: PersonName = name, i: int = i) -> int | None:
                return doc.names.level(self.item_id, name, i, request, form, initials, registered)

            if i >= len(givens[pos]) or givens[pos][i] is None:
                _put(givens[pos], i, level(0))
            if self.request is None:
                param = level(0)
            else:
                param = givens[pos][i]
                if (
                    param == INITIALS
                    and doc.rule == "by-cite"
                    and (initials is None or not name.given)
                ):
                    param = FULL
                if doc.add_givenname and name.given:
                    param = level(param)
            givens[pos][i] = param
            out.append(param)
        return out

    def shown(self, count: int, pos: int, et_al_min: int, use_first: int) -> int:
        """How many names of a list to print (citeproc-js ``_imposeNameConstraints``)."""
        names = self.request.names if self.request is not None else []
        wanted = names[pos] if pos < len(names) else None
        if not et_al_min:
            shown = count
        elif self.looking:
            shown = wanted or (use_first if count >= et_al_min else et_al_min)
        elif wanted is not None and wanted > use_first:
            shown = count if count < et_al_min else wanted
        else:
            shown = use_first if count >= et_al_min else count
        if not (et_al_min >= use_first and count > shown):
            shown = count
        _put(self.settings.names, pos, shown)
        self.settings.pad()
        return shown

    def disambiguate_test(self, in_bibliography: bool) -> bool:
        """A ``disambiguate="true"`` condition: true for as many tests as the config allows."""
        if in_bibliography:
            limit = self.entry_disambiguate
        else:
            self.tests += 1
            limit = self.settings.disambiguate
        if limit and self.count < limit:
            self.count += 1
            return True
        return False

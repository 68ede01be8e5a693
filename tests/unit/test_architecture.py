"""The code's shape: the layers (Qt only in gui/, peewee only in store/, the window and the
command line through the library) and no import cycle between refman's modules, however the
import is written.

Every module of the package is read with ``ast`` (nothing is imported).

For the cycles, an edge goes from a module to each refman module it imports: at the top, inside
a function, under ``if TYPE_CHECKING``, relative (``from . import x``, ``from ..y import z``), as
``from pkg import module``, or through ``importlib.import_module`` with a name the source spells
out. A late import or a type-only import does not take a cycle away, it only hides it from the
interpreter at start: the modules still need each other.

Importing ``refman.a.b`` also runs ``refman/a/__init__.py``, so a module outside the package
``refman.a`` that imports ``refman.a.b`` depends on ``refman.a`` too. For a module inside
``refman.a`` that is no edge: its package has always started before it runs.

The detector (``find_cycles``) and the reader (``imports_of``) are tested on hand-made graphs
and packages, so that a pass means "no cycle", not "nothing seen".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "refman"


# --- the layers -----------------------------------------------------------------------------------


def top_level_imports(path: Path) -> set[str]:
    """Top-level module names (and refman submodules) that a source file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layered_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), top_level_imports(path)


def uses(imported: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in imported)


@pytest.mark.parametrize(
    ("module", "imported"), [pytest.param(*pair, id=pair[0]) for pair in layered_modules()]
)
def test_layers(module, imported):
    in_gui = module.startswith("refman/gui/")
    if uses(imported, "PySide6"):
        assert in_gui, f"{module} imports Qt outside refman/gui/"
    if uses(imported, "peewee") or uses(imported, "playhouse"):
        assert module.startswith("refman/store/"), f"{module} imports peewee outside store/"
    if in_gui:
        assert not uses(imported, "refman.store"), f"{module}: the GUI goes through library"
    if module.startswith("refman/formats/"):
        for layer in ("refman.store", "refman.gui", "refman.library", "refman.cli"):
            assert not uses(imported, layer), f"{module} imports {layer}"
    if module.startswith("refman/store/"):
        for layer in ("refman.formats", "refman.gui", "refman.library", "refman.cli"):
            assert not uses(imported, layer), f"{module} imports {layer}"
    if module == "refman/model.py":
        assert not any(name.startswith("refman") for name in imported)


def test_the_walk_finds_the_layers():
    found = dict(layered_modules())
    assert "refman/library/core.py" in found
    assert uses(found["refman/library/core.py"], "refman.store")


@pytest.mark.parametrize(
    "module",
    [
        "refman/cli.py",
        *sorted(p.relative_to(PACKAGE.parent).as_posix() for p in (PACKAGE / "gui").rglob("*.py")),
    ],
)
def test_the_window_and_the_command_line_go_through_the_library(module):
    """Not the store, neither by import nor through the library's open connection."""
    source = (PACKAGE.parent / module).read_text(encoding="utf-8")
    assert not uses(top_level_imports(PACKAGE.parent / module), "refman.store"), module
    assert ".connection" not in source, f"{module} reaches past the library into its connection"


# --- import cycles: reading the imports -----------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import of a module of the package: who imports what, and on which line."""

    importer: str
    imported: str
    line: int


def module_name(path: Path, root: Path) -> str:
    """``refman/store/__init__.py`` -> ``refman.store``; ``refman/app.py`` -> ``refman.app``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name."""
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _base_of(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module a ``from ... import`` names, with a relative one resolved."""
    if node.level == 0:
        return node.module or ""
    # ``from . import`` in a package's __init__ is the package itself; in a module, its parent.
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"``: what ``importlib.import_module(NAME)`` may name."""
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        if isinstance(node.value.value, str):
            found.update((t.id, node.value.value) for t in node.targets if isinstance(t, ast.Name))
    return found


def _dynamic_import(node: ast.Call, constants: dict[str, str]) -> str | None:
    """The module of ``importlib.import_module("name")`` (or of a constant holding it)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name != "import_module" or not node.args:
        return None
    argument = node.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    if isinstance(argument, ast.Name):
        return constants.get(argument.id)
    return None  # a name built at run time: not knowable from the source


def _named(node: ast.AST, importer: str, is_package: bool, constants) -> list[str]:
    """The dotted names one node of the tree imports (empty for any other node)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = _base_of(node, importer, is_package)
        # ``from pkg import x``: the module pkg.x if there is one, else a name in pkg itself
        # (told apart by the caller, which knows the package's modules).
        return [f"{base}\0{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call):
        dynamic = _dynamic_import(node, constants)
        return [dynamic] if dynamic else []
    return []


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The package module an imported name lands on, or None when it is not one of them."""
    if "\0" in name:
        base, attribute = name.split("\0")
        if f"{base}.{attribute}" in modules:
            return f"{base}.{attribute}"
        name = base
    while name and name not in modules:  # ``import refman.x.y`` where y is not a module
        name = name.rpartition(".")[0]
    return name or None


def _with_packages(imported: str, importer: str, modules: dict[str, Path]) -> list[str]:
    """``imported`` and each package above it whose __init__ runs first, for this importer."""
    found = [imported]
    package = imported.rpartition(".")[0]
    while package:
        inside = importer == package or importer.startswith(package + ".")
        if package in modules and not inside:
            found.append(package)
        package = package.rpartition(".")[0]
    return found


def imports_of(importer: str, modules: dict[str, Path]) -> list[Import]:
    """Every import of another module of the package by ``importer``, wherever it is written."""
    path = modules[importer]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    constants = _string_constants(tree)
    found = []
    for node in ast.walk(tree):
        for name in _named(node, importer, is_package, constants):
            target = _resolve(name, modules)
            if target is None:
                continue
            found += [
                Import(importer, each, node.lineno)
                for each in _with_packages(target, importer, modules)
                if each != importer
            ]
    return list(dict.fromkeys(found))  # ``from m import a, b`` is one import of m


def import_graph(root: Path) -> tuple[dict[str, set[str]], list[Import]]:
    """The package's modules, each with the set of modules it imports; and every import."""
    modules = all_modules(root)
    edges = [each for name in modules for each in imports_of(name, modules)]
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for edge in edges:
        graph[edge.importer].add(edge.imported)
    return graph, edges


# --- import cycles: finding them ------------------------------------------------------------------


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another round, sorted (Tarjan's strongly
    connected components of more than one node, or of one that imports itself)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                lowest[node] = min(lowest[node], lowest[target])
            elif target in on_stack:
                lowest[node] = min(lowest[node], index[target])
        if lowest[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def describe(group: list[str], edges: list[Import], root: Path) -> str:
    """A cycle in words: its modules, then every import between them, with file and line."""
    members, paths = set(group), all_modules(root)
    lines = [" <-> ".join(group)]
    for edge in sorted(edges, key=lambda e: (e.importer, e.line, e.imported)):
        if edge.importer in members and edge.imported in members:
            where = paths[edge.importer].relative_to(root.parent).as_posix()
            lines.append(f"    {where}:{edge.line} imports {edge.imported}")
    return "\n".join(lines)


# --- refman ---------------------------------------------------------------------------------------


def test_refman_has_no_import_cycle():
    graph, edges = import_graph(PACKAGE)
    cycles = find_cycles(graph)
    report = "\n".join(describe(group, edges, PACKAGE) for group in cycles)
    assert not cycles, f"{len(cycles)} import cycle(s) in refman:\n{report}"


def test_the_walk_sees_refmans_modules_and_their_imports():
    graph, _ = import_graph(PACKAGE)
    assert {"refman", "refman.app", "refman.store", "refman.gui.app"} <= set(graph)
    assert "refman.model" in graph["refman.library.core"]
    assert "refman.cli" in graph["refman.app"]
    assert "refman.gui.app" in graph["refman.app"]  # a function-local import
    assert sum(len(targets) for targets in graph.values()) > 2 * len(graph)


def test_the_walk_sees_the_format_packages_and_their_imports():
    """The cycle check covers refman.formats and its packages (it once had a check of its own)."""
    graph, _ = import_graph(PACKAGE)
    engine = graph["refman.formats.csl.engine"]
    assert {"refman.formats.csl.parser", "refman.formats.csl.disambiguation"} <= engine
    assert "refman.formats.medline.mapping" in graph["refman.formats.medline"]
    assert {name for name in graph if name.startswith("refman.formats.")} >= {
        "refman.formats.registry",
        "refman.formats.csl",
        "refman.formats.medline.read",
    }


# --- the detector on hand-made graphs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({}, []),
        ({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}, []),  # a diamond: no cycle
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"a"}, "b": set()}, [["a"]]),  # a module that imports itself
        ({"x": {"a"}, "a": {"b"}, "b": {"c"}, "c": {"a", "y"}, "y": set()}, [["a", "b", "c"]]),
        (
            {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}},
            [["a", "b"], ["c", "d", "e"]],  # two cycles, one reached from the other
        ),
        ({"a": {"b"}, "b": {"c"}, "c": {"missing"}}, []),  # an edge out of the graph
    ],
)
def test_find_cycles(graph, cycles):
    assert find_cycles(graph) == cycles


def test_find_cycles_on_a_long_chain_closed_at_the_end():
    chain = {f"m{n:03}": {f"m{n + 1:03}"} for n in range(300)}
    assert find_cycles(chain) == []
    chain["m300"] = {"m000"}
    assert find_cycles(chain) == [sorted(chain)]


# --- the reader on a hand-made package ------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def edges_of(package: Path) -> set[tuple[str, str]]:
    _, edges = import_graph(package)
    return {(e.importer, e.imported) for e in edges}


def test_every_way_of_importing_is_an_edge(tmp_path):
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "from .sub.inner import VALUE\n",
            "pkg/top.py": "import os\nimport pkg.other\n",
            "pkg/other.py": "def late():\n    from pkg import top\n    return top\n",
            "pkg/typed.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.top import X\n"
            ),
            "pkg/dynamic.py": (
                'import importlib\nNAME = "pkg.typed"\n'
                "def load(n):\n"
                "    importlib.import_module(NAME)\n"
                '    importlib.import_module("pkg.top")\n'
                '    importlib.import_module(f"pkg.{n}")\n'
            ),
            "pkg/sub/__init__.py": "from . import inner\n",
            "pkg/sub/inner.py": "from .. import top\nfrom ..other import late\nVALUE = 1\n",
            "pkg/sub/sibling.py": "from .inner import VALUE\nfrom pkg.sub import inner\n",
            "pkg/user.py": "from pkg.sub.inner import VALUE\n",
            "pkg/named.py": "from pkg import VALUE\n",
        },
    )
    assert edges_of(package) == {
        ("pkg", "pkg.sub.inner"),  # relative, in a package's __init__
        ("pkg", "pkg.sub"),  # ... whose own __init__ runs first
        ("pkg.top", "pkg.other"),  # absolute; os is not the package's
        ("pkg.other", "pkg.top"),  # function-local, ``from pkg import module``
        ("pkg.typed", "pkg.top"),  # type-only
        ("pkg.dynamic", "pkg.typed"),  # importlib, through a constant
        ("pkg.dynamic", "pkg.top"),  # importlib, spelled out
        ("pkg.sub", "pkg.sub.inner"),  # ``from . import module`` in __init__
        ("pkg.sub.inner", "pkg.top"),  # ``from .. import module``
        ("pkg.sub.inner", "pkg.other"),  # ``from ..module import name``
        ("pkg.sub.sibling", "pkg.sub.inner"),  # a sibling, both ways of naming it
        ("pkg.user", "pkg.sub.inner"),  # from outside pkg.sub ...
        ("pkg.user", "pkg.sub"),  # ... which runs pkg/sub/__init__.py first
        ("pkg.named", "pkg"),  # a name from the package's __init__
    }  # no ("pkg.user", "pkg"): every module's own package has started before it runs


def test_a_late_import_does_not_hide_a_cycle(tmp_path):
    package = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": "def main():\n    from pkg.gui.app import run\n    run()\n",
            "pkg/gui/__init__.py": "",
            "pkg/gui/app.py": "def log():\n    from pkg.app import main\n",
        },
    )
    graph, edges = import_graph(package)
    (cycle,) = find_cycles(graph)
    assert cycle == ["pkg.app", "pkg.gui.app"]
    text = describe(cycle, edges, package)
    assert "pkg/app.py:2 imports pkg.gui.app" in text
    assert "pkg/gui/app.py:2 imports pkg.app" in text


def test_a_cycle_of_late_and_relative_imports_inside_a_nested_package_is_found(tmp_path):
    write(
        tmp_path,
        {
            "top/__init__.py": "",
            "top/pkg/__init__.py": "",
            "top/pkg/a.py": "from top.pkg import b\n",
            "top/pkg/b.py": "def f():\n    from top.pkg.c import x\n",
            "top/pkg/c.py": "from . import a\n",
            "top/pkg/d.py": "import top.pkg.a\n",
        },
    )
    graph, _ = import_graph(tmp_path / "top")
    assert graph["top.pkg.b"] == {"top.pkg.c"} and graph["top.pkg.c"] == {"top.pkg.a"}
    assert graph["top.pkg.d"] == {"top.pkg.a"}
    assert find_cycles(graph) == [["top.pkg.a", "top.pkg.b", "top.pkg.c"]]

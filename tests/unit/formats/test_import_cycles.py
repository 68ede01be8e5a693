"""No import cycle among the modules of refman.formats.

Every import statement counts: at the top of a module, inside a function (a late import that
hides a cycle still is one) and under TYPE_CHECKING. ``from package import name`` counts as an
import of the submodule ``name`` when there is one, else of the package. The walk reads the
source files; it runs nothing.
"""

import ast
from pathlib import Path

REFMAN = Path(__file__).resolve().parents[3] / "refman"


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> source file, for every module under ``root`` (a package, perhaps
    inside others: its names are the full ones, as imports spell them)."""
    top = root
    while (top.parent / "__init__.py").exists():
        top = top.parent
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(top.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ``known`` that module ``name`` (its source at ``path``) imports."""

    def nearest(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(nearest(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                full = f"{source}.{alias.name}"
                found.add(full if full in known else nearest(source))
    return {module for module in found if module and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imported(name, path, known) for name, path in known.items()}


def test_the_formats_modules_import_each_other_without_a_cycle():
    assert cycles(import_graph(REFMAN / "formats")) == []


def test_the_walk_sees_late_imports_and_finds_a_cycle_they_make(tmp_path):
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "__init__.py").write_text("")
    package = tmp_path / "top" / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from top.pkg import b\n")
    (package / "b.py").write_text("def f():\n    from top.pkg.c import x\n")
    (package / "c.py").write_text("from . import a\n")
    (package / "d.py").write_text("import top.pkg.a\n")
    graph = import_graph(package)
    assert graph["top.pkg.b"] == {"top.pkg.c"} and graph["top.pkg.c"] == {"top.pkg.a"}
    assert graph["top.pkg.d"] == {"top.pkg.a"}
    assert cycles(graph) == [["top.pkg.a", "top.pkg.b", "top.pkg.c"]]

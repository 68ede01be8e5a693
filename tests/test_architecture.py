"""The layering rules of docs/architecture: Qt only in gui/, peewee only in store/, and so on."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "refman"


def imports_of(path: Path) -> set[str]:
    """Top-level module names (and refman submodules) that a source file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), imports_of(path)


def uses(imported: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in imported)


@pytest.mark.parametrize(("module", "imported"), list(modules()), ids=lambda v: str(v)[:40])
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
    found = dict(modules())
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
    assert not uses(imports_of(PACKAGE.parent / module), "refman.store"), module
    assert ".connection" not in source, f"{module} reaches past the library into its connection"

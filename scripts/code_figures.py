"""Figures about the shape of refman's code, for the architecture notes: how many public
methods only forward their arguments, module and function sizes, docstring shares.

    python scripts/code_figures.py [PACKAGE_DIR]      (default: refman/ of this checkout)

A method "only forwards" when it takes arguments and its body, docstring aside, is one call
(returned or not) whose arguments are its own parameters, unchanged, and nothing else:
``def get(self, i): return self.store.get(i)``. "Exactly" counts those that pass every
parameter in order; "at most names" also counts calls that pass some of them, or constants
beside them; "with state" counts the facade's kind, which adds only its own attributes:
``def get(self, i): return items.load(self._db, i)``. Sizes are in lines (the ``def`` to the
last line); a module's docstring counts when it is the first statement.
Written with ``ast`` only: run it on any checkout, old or new.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return body


def _call(statement: ast.stmt) -> ast.Call | None:
    value = statement.value if isinstance(statement, ast.Return | ast.Expr) else None
    return value if isinstance(value, ast.Call) else None


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    return [name for name in names if name not in ("self", "cls")]


def forwarding(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """"exact", "names" or None: how purely the method forwards its arguments."""
    body = _body(node)
    call = _call(body[0]) if len(body) == 1 else None
    if call is None:
        return None
    passed = [*call.args, *(k.value for k in call.keywords)]
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    state = [arg for arg in passed if _on_self(arg)]  # the object's own state passed along
    rest = [arg for arg in passed if not _on_self(arg)]
    if not all(isinstance(arg, ast.Name | ast.Constant) for arg in rest):
        return None
    parameters = _parameters(node)
    names = [arg.id for arg in rest if isinstance(arg, ast.Name)]
    if not parameters or not set(names) <= set(parameters):
        return None  # no argument to forward (a ``close()`` calling its connection's)
    if state:
        return "state"
    return "exact" if names == parameters and len(passed) == len(names) else "names"


def _on_self(node: ast.expr) -> bool:
    """``self.x`` or ``self.x.y``: what a facade adds to the arguments it passes on."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "self"


def _quantiles(values: list[int]) -> tuple[float, float]:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return statistics.median(values), p90


def figures(package: Path) -> dict[str, object]:
    module_lines, function_lines = [], []
    modules_with_doc = functions = functions_with_doc = 0
    exact, names, state = [], [], []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_lines.append(len(path.read_text(encoding="utf-8").splitlines()))
        modules_with_doc += ast.get_docstring(tree) is not None
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for method in node.body:
                    if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                        continue
                    if method.name.startswith("_"):
                        continue
                    kind = forwarding(method)
                    where = f"{path.relative_to(package.parent)}:{node.name}.{method.name}"
                    if kind == "exact":
                        exact.append(where)
                    elif kind == "names":
                        names.append(where)
                    elif kind == "state":
                        state.append(where)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                function_lines.append(node.end_lineno - node.lineno + 1)
                if not node.name.startswith("_"):
                    functions += 1
                    functions_with_doc += ast.get_docstring(node) is not None
    return {
        "modules": len(module_lines),
        "module lines median / p90": _quantiles(module_lines),
        "function lines median / p90": _quantiles(function_lines),
        "functions over 30 lines": sum(n > 30 for n in function_lines),
        "functions": len(function_lines),
        "modules with a docstring": f"{modules_with_doc}/{len(module_lines)}",
        "public functions with a docstring": f"{functions_with_doc}/{functions}",
        "public methods forwarding exactly their arguments": exact,
        "public methods forwarding at most their arguments (and constants)": names,
        "public methods forwarding their arguments with the object's own state": state,
    }


def main(argv: list[str]) -> int:
    package = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "refman"
    for name, value in figures(package).items():
        if isinstance(value, list):
            print(f"{name}: {len(value)}")
            for where in value:
                print(f"    {where}")
        else:
            print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

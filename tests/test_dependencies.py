"""Every library nerstudio imports is one its installation brings: a module-level import
from the core dependencies (or what they require), a deferred one (inside a function,
an optional extra's reader or model) from them or an extra. A package that was only
installed by hand here would pass every other test and fail on a user's machine."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nerstudio"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` bring, with everything they require (installed ones)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r]
    return seen


def _imports() -> list[tuple[str, str, bool]]:
    """(file:line, top-level module, whether at module level) of every import."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append((where, name.split(".")[0], id(node) in top))
    return found


def test_every_imported_library_is_declared_where_it_is_needed():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _closure({_name(r) for r in project["dependencies"]})
    extras = {_name(r) for group in project["optional-dependencies"].values() for r in group}
    every = _closure(core | extras)
    by_module = metadata.packages_distributions()
    missing = []
    for where, module, module_level in _imports():
        if module in sys.stdlib_module_names or module in ("nerstudio", "__future__"):
            continue
        dists = {d.lower().replace("_", "-") for d in by_module.get(module, [])}
        if not dists:
            pytest.fail(f"{where}: {module} is not installed here, so it cannot be checked")
        allowed = core if module_level else every
        if not dists & allowed:
            missing.append(f"{where}: {module} ({', '.join(sorted(dists))})")
    assert missing == []

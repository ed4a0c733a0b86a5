"""The manifest declares every third-party package the integration imports.

Home Assistant installs a custom integration's ``requirements`` before it
imports the package. Anything imported at module level must therefore be
declared there, or be a requirement of Home Assistant core itself; ZHA and
zigpy (present only where ZHA was set up) are imported lazily, inside the
functions that need them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib.metadata
import importlib.util
import json
from pathlib import Path
import re
import sys

PACKAGE = Path(__file__).parents[1] / "custom_components" / "community_access"
PACKAGE_NAME = "custom_components"
#: Imported only inside functions: present only where ZHA was set up.
LAZY_ONLY = ("zigpy", "zha", "homeassistant.components.zha")


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module is imported (not in functions)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if _is_type_checking(node.test):
                yield from _module_level(node.orelse)
            else:
                yield from _module_level(node.body)
                yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level(block)
            for handler in node.handlers:
                yield from _module_level(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _module_level(node.body)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or node.module is None:
        return []  # relative: the package itself
    return [node.module]


def _top_level_imports() -> dict[str, set[str]]:
    """Absolute module-level imports → the files importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _module_level(tree.body):
            for name in _absolute_names(node):
                found.setdefault(name, set()).add(str(path.relative_to(PACKAGE)))
    return found


def _requirement_name(requirement: str) -> str | None:
    """Normalised distribution name of a requirement, None if only for an extra."""
    if "extra ==" in requirement:
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return _normalise(match.group(0))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_module_level_imports_are_declared() -> None:
    manifest = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    declared = {_requirement_name(r) for r in manifest["requirements"]}
    core = {
        _requirement_name(r) for r in importlib.metadata.requires("homeassistant") or []
    }
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for name, files in _top_level_imports().items():
        root = name.partition(".")[0]
        if (
            root in sys.stdlib_module_names
            or root in ("homeassistant", PACKAGE_NAME)
            or root == "__future__"
        ):
            continue
        dists = {_normalise(d) for d in distributions.get(root, [root])}
        if not dists & (declared | core):
            missing[name] = sorted(files)
    assert missing == {}, "imported at module level but not declared"


def test_serialx_pinned_like_zha() -> None:
    """The pin matches the one of Home Assistant's ZHA, so both can coexist."""
    manifest = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    zha = importlib.util.find_spec("homeassistant.components.zha")
    assert zha is not None and zha.origin is not None
    zha_manifest = json.loads(
        (Path(zha.origin).parent / "manifest.json").read_text(encoding="utf-8")
    )
    zha_serialx = [r for r in zha_manifest["requirements"] if r.startswith("serialx")]
    assert zha_serialx
    assert [r for r in manifest["requirements"] if r.startswith("serialx")] == (
        zha_serialx
    )


def test_zha_and_zigpy_are_imported_lazily() -> None:
    eager = {
        name: sorted(files)
        for name, files in _top_level_imports().items()
        if any(name == lazy or name.startswith(f"{lazy}.") for lazy in LAZY_ONLY)
    }
    assert eager == {}

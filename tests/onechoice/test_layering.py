"""The layers, checked from the source: the core imports no app; each app imports only the
apps beneath it; nothing imports an app inside a function to dodge an import cycle."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)

# Who may import whom (besides the core, which everyone may import). Migrations are left out:
# Django writes them.
MAY_IMPORT = {
    "onechoice": set(),
    "projects": set(),
    "workgroups": {"projects"},
    "meetings": {"projects", "workgroups"},
    "proposals": {"projects", "workgroups", "meetings"},
    "portal": {"projects", "workgroups", "meetings", "proposals"},
    "search": {"projects", "workgroups", "meetings"},
    "opendata": {"projects", "workgroups", "meetings"},
    "demo": {"projects", "workgroups", "meetings", "proposals"},
}
APPS = set(MAY_IMPORT) - {"onechoice"}


def modules(package: str):
    for path in sorted((BASE / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imports(path: Path):
    """(imported top-level package, inside a function?, line) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name.split(".")[0], id(node) in in_function, node.lineno


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_the_layers_beneath_it(package):
    forbidden = []
    for path in modules(package):
        for top, _in_function, line in imports(path):
            if top in APPS and top != package and top not in MAY_IMPORT[package]:
                forbidden.append(f"{path.relative_to(BASE)}:{line} imports {top}")
    assert not forbidden


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_no_app_is_imported_inside_a_function(package):
    hidden = [
        f"{path.relative_to(BASE)}:{line} imports {top} inside a function"
        for path in modules(package)
        for top, in_function, line in imports(path)
        if in_function and top in APPS and top != package
    ]
    assert not hidden


def test_the_walk_sees_real_imports():
    # The check itself: the portal's views do import the apps they compose.
    found = {top for path in modules("portal") for top, _, _ in imports(path)}
    assert {"projects", "meetings", "workgroups", "onechoice"} <= found

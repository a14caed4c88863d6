"""The explorer sits above the archive: it reads the archive's models and listens to its saves,
and nothing in the archive (or the search and feeds apps below the pages) imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_archive_never_imports_the_explorer():
    offenders = []
    for app in ("archive", "search"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if any(m == "explorer" or m.startswith("explorer.") for m in imported_modules(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_the_old_explorer_modules_are_gone():
    assert not list((ROOT / "archive").glob("explorer*.py"))

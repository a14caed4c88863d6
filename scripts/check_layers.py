#!/usr/bin/env python3
"""The import rules of the archive's layers, checked on the source (no import is run).

    python scripts/check_layers.py        # prints each import that breaks a rule; exit 1 if any

From the bottom up (docs/architecture.md, "Layers"):

    project   config.*  (settings, URL root, WSGI, middleware, the process supervisor, /healthz)
      |
    entry     pages, feeds and commands: *.views, *.urls, *.forms, *.admin, templatetags,
      |       feeds.*, management commands, the API description, config.http_cache (the
      |       views' HTTP caching: decorators and a middleware)
    search    search.*  (index, engines, writer, query language, snippets, results cache)
      |
    archive   archive.*  (models, services, rendering of stored reports)
      |
    support   config.observability  (JSON logs of searches and edits: stdlib only)
      |
    ingest    archive.ingest.*  (pure functions; no Django at all)

A module may import modules of its own layer and of the layers below it, never above: not at
the top of a file, not inside a function, not under `if TYPE_CHECKING`. Every import
statement counts, wherever it stands (the AST is walked whole). `archive.ingest` also may not
import Django, and a views module is imported by URL confs only (helpers that other modules
need live beside the views, not in them). An import that breaks a rule for a reason is
listed in ALLOWED with that
reason; tests/test_layers.py fails on a new breach and on an ALLOWED entry no longer needed.
Imports spelled as strings (settings, `import_module`) are not seen.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "search", "feeds", "config")
LAYERS = ("ingest", "support", "archive", "search", "entry", "project")  # bottom first

# Modules of config/ that are not the project layer: config.observability is used by every
# layer above ingest, config.http_cache by the views.
CONFIG_MODULES = {"config.observability": "support", "config.http_cache": "entry"}

# Modules of archive/ and search/ that serve requests or the command line: the entry layer.
# archive.rendering builds the blocks of a report page for its views (and marks the words a
# reader searched for with search.highlight, as the result snippets do); archive.views_body
# renders and caches the body of a report page for those views.
ENTRY_MODULES = {
    "views",
    "views_body",
    "urls",
    "forms",
    "admin",
    "citation_views",
    "explorer_views",
    "explorer_urls",
    "openapi",
    "rendering",
}

# (importer, imported) -> why the rule is broken there. The imported name is the module as
# written in the import statement (a prefix of it is enough: "search" covers "search.x").
# Empty: the archive tells the search layer about edits through a signal (archive/signals.py)
# and the feed takes its links from search.links. An entry needs a reason a reviewer accepts.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Breach:
    importer: str
    imported: str
    path: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported} ({self.why})"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The layer of a module of the project, None for anything else (stdlib, packages)."""
    parts = module.split(".")
    top = parts[0]
    if top not in PACKAGES:
        return None
    if top == "config":
        return CONFIG_MODULES.get(".".join(parts[:2]), "project")
    if top == "feeds" or "management" in parts or "templatetags" in parts:
        return "entry"
    if len(parts) > 1 and parts[1] in ENTRY_MODULES:
        return "entry"
    if top == "archive" and len(parts) > 1 and parts[1] == "ingest":
        return "ingest"
    return top  # "archive" or "search"


def imports_of(tree: ast.AST, module: str, is_package: bool, root: Path = ROOT):
    """Every (imported module, line) of a file, relative imports resolved; for
    `from search import highlight` the module search.highlight, for
    `from search.views import X` the module search.views."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                deeper = f"{target}.{alias.name}"
                yield (deeper if _is_module(deeper, root) else target), node.lineno


def _is_module(name: str, root: Path) -> bool:
    base = root / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def allowed(importer: str, imported: str) -> bool:
    return any(
        importer == a and (imported == b or imported.startswith(b + ".")) for a, b in ALLOWED
    )


def check(root: Path = ROOT, honour_allowed: bool = True) -> list[Breach]:
    breaches: list[Breach] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = module_name(path, root)
            mine = layer_of(module)
            rel = str(path.relative_to(root))
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            seen: set[tuple[str, int]] = set()
            for imported, line in imports_of(tree, module, path.name == "__init__.py", root):
                if (imported, line) in seen:
                    continue
                seen.add((imported, line))
                if mine == "ingest" and imported.split(".")[0] in {"django", "haystack"}:
                    breaches.append(Breach(module, imported, rel, line, "Django in ingest"))
                    continue
                theirs = layer_of(imported)
                if (
                    theirs is not None
                    and _is_views(imported)
                    and not _is_urlconf(module)
                    and not (honour_allowed and allowed(module, imported))
                ):
                    why = "a views module is imported by URL confs only"
                    breaches.append(Breach(module, imported, rel, line, why))
                    continue
                if theirs is None or LAYERS.index(theirs) <= LAYERS.index(mine):
                    continue
                if honour_allowed and allowed(module, imported):
                    continue
                why = f"the {mine} layer imports the {theirs} layer"
                breaches.append(Breach(module, imported, rel, line, why))
    return breaches


def _is_views(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("views")


def _is_urlconf(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("urls")


def stale_allowances(root: Path = ROOT) -> list[tuple[str, str]]:
    """ALLOWED entries that no import needs any more (they should be removed)."""
    used = {(b.importer, b.imported) for b in check(root, honour_allowed=False)}
    return [
        (a, b)
        for a, b in ALLOWED
        if not any(i == a and (m == b or m.startswith(b + ".")) for i, m in used)
    ]


def main() -> int:
    breaches = check()
    for b in breaches:
        print(b)
    for a, b in stale_allowances():
        print(f"scripts/check_layers.py: ALLOWED ({a!r}, {b!r}) is no longer needed")
    if breaches:
        print(f"{len(breaches)} import(s) break the layer rules (docs/architecture.md, Layers)")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())

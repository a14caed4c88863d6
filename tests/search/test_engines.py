"""One engine interface: the settings choose the engine, and nothing else asks which it is."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from search import engines
from search.engines import SearchEngine, get_engine

ROOT = Path(__file__).resolve().parents[2]
# The engine implementations themselves, and the modules they are made of.
ENGINE_MODULES = {
    "search.whoosh_engine",
    "search.opensearch_engine",
    "search.opensearch_backend",
    "search.opensearch_client",
    "search.whoosh_backend",
}
ALLOWED = {
    "search/engines.py",
    "search/whoosh_engine.py",
    "search/opensearch_engine.py",
    "search/opensearch_backend.py",
    "search/opensearch_client.py",
    "search/whoosh_backend.py",
}


def test_the_default_is_whoosh():
    assert isinstance(get_engine(), engines.WhooshEngine)


def test_every_engine_implements_the_whole_interface():
    interface = {n for n, v in vars(SearchEngine).items() if callable(v) and not n.startswith("_")}
    assert {
        "run",
        "trend",
        "write_reports",
        "rebuild",
        "indexed_documents",
        "health",
        "version",
    } <= interface
    for cls in (engines.WhooshEngine, engines.OpenSearchEngine):
        missing = {n for n in interface if getattr(cls, n) is getattr(SearchEngine, n)}
        assert not missing, (cls.__name__, missing)


def test_a_haystack_engine_without_an_archive_engine_is_refused():
    with override_settings(
        HAYSTACK_CONNECTIONS={
            "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}
        }
    ):
        with pytest.raises(ImproperlyConfigured, match="archive_engine"):
            get_engine()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_code_outside_the_engines_reaches_for_one_engine():
    """Pages, the writer, health and cache ask search.engines.get_engine(), never a module of
    one engine (the result types live in search.results)."""
    offenders = {}
    for folder in ("archive", "config", "feeds", "search"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED or "/migrations/" in rel or "/management/" in rel:
                continue
            hits = imported_modules(path) & ENGINE_MODULES
            if hits:
                offenders[rel] = sorted(hits)
    assert offenders == {}

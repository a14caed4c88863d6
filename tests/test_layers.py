"""The import rules of the layers (scripts/check_layers.py; docs/architecture.md, "Layers")."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts/check_layers.py")
check_layers = importlib.util.module_from_spec(_spec)
sys.modules["check_layers"] = check_layers  # dataclasses look their module up there
_spec.loader.exec_module(check_layers)


def test_no_module_imports_a_layer_above_it():
    breaches = check_layers.check()
    assert not breaches, "\n".join(map(str, breaches))


def test_every_allowed_exception_is_still_needed():
    assert check_layers.stale_allowances() == []


def test_every_allowed_exception_says_why():
    assert all(why.strip() for why in check_layers.ALLOWED.values())


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("archive.ingest.pipeline", "ingest"),
        ("archive.models", "archive"),
        ("archive.services", "archive"),
        ("archive.views", "entry"),
        ("archive.management.commands.import_reports", "entry"),
        ("archive.templatetags.citation_tags", "entry"),
        ("search.indexing", "search"),
        ("search.views", "entry"),
        ("feeds.feeds", "entry"),
        ("config.settings", "project"),
        ("config.observability", "support"),
        ("django.db", None),
    ],
)
def test_layer_of(module, layer):
    assert check_layers.layer_of(module) == layer


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_check_sees_upward_imports_wherever_they_stand(tmp_path):
    """At the top, inside a function, relative, as `from package import module`, Django in
    the ingest layer, a views module outside a URL conf: each is reported with its line."""
    for package in check_layers.PACKAGES:
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "archive/ingest/__init__.py", "")
    write(tmp_path, "search/highlight.py", "")
    write(tmp_path, "search/views.py", "")
    write(
        tmp_path,
        "archive/models.py",
        """\
        import json

        from archive.ingest import pipeline


        def f():
            from search.highlight import mark_text
            return mark_text
        """,
    )
    write(
        tmp_path,
        "archive/ingest/pipeline.py",
        """\
        from django.conf import settings
        from .. import models
        """,
    )
    write(
        tmp_path,
        "search/indexing.py",
        """\
        from search import views
        from archive.models import Report
        """,
    )
    write(tmp_path, "archive/views.py", "")
    write(tmp_path, "archive/templatetags/__init__.py", "")
    write(tmp_path, "archive/templatetags/tags.py", "from archive.views import helper\n")
    write(tmp_path, "archive/urls.py", "from archive import views\n")
    found = {(b.importer, b.imported, b.line) for b in check_layers.check(tmp_path)}
    assert found == {
        ("archive.models", "search.highlight", 7),
        ("archive.ingest.pipeline", "django.conf", 1),
        ("archive.ingest.pipeline", "archive.models", 2),
        ("search.indexing", "search.views", 1),
        ("archive.templatetags.tags", "archive.views", 1),  # views: for URL confs only
    }


def test_the_archive_may_not_reach_the_search_writer_or_a_feed_a_view(tmp_path):
    """The imports that used to be allowed exceptions are breaches now: the archive announces
    edits with a signal, and the feed takes its links from search.links."""
    for package in check_layers.PACKAGES:
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "search/indexing.py", "")
    write(tmp_path, "search/views.py", "")
    write(tmp_path, "search/links.py", "")
    write(tmp_path, "archive/services.py", "from search.indexing import enqueue_report\n")
    write(tmp_path, "archive/withdrawals.py", "from search.links import hit_link\n")
    write(tmp_path, "feeds/feeds.py", "from search.views import hit_link\n")
    write(tmp_path, "feeds/links.py", "from search.links import hit_link\n")  # allowed: below
    found = {(b.importer, b.imported) for b in check_layers.check(tmp_path)}
    assert found == {
        ("archive.services", "search.indexing"),
        ("archive.withdrawals", "search.links"),
        ("feeds.feeds", "search.views"),
    }


def test_an_allowed_exception_is_honoured_and_reported_once_stale(tmp_path, monkeypatch):
    for package in check_layers.PACKAGES:
        write(tmp_path, f"{package}/__init__.py", "")
    write(tmp_path, "search/indexing.py", "")
    write(tmp_path, "archive/services.py", "from search.indexing import enqueue_report\n")
    monkeypatch.setattr(
        check_layers,
        "ALLOWED",
        {
            ("archive.services", "search"): "a reason",
            ("archive.models", "search.indexing"): "no longer imported",
        },
    )
    assert check_layers.check(tmp_path) == []
    assert check_layers.stale_allowances(tmp_path) == [("archive.models", "search.indexing")]

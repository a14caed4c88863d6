"""Every editor URL turns away anonymous visitors and logged-in readers, on GET and on POST.

The editor URLs are not listed by hand: they are read from the URL resolver, and a URL is an
editor's when its view is guarded by a user test (`staff_member_required`, or any
`user_passes_test`), found by unwrapping the view's decorators. A new editor page is thus
tested as soon as it is routed; one whose URL needs an argument not known below fails with
its name, so that a value gets added rather than the page skipped. Django's own admin guards
itself and is left out.
"""

from __future__ import annotations

import inspect

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.models import (
    Commitment,
    EditorialAction,
    Report,
    ReportVersion,
)
from archive.services import store_file
from explorer.models import CommitmentCorrection
from tests.conftest import SEEDS_DIR, restore_index_settings, use_index_dir

pytestmark = pytest.mark.django_db

HEXI = "001_46ac5d44bafe418d.txt"


def _patterns(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(n for n in (namespace, p.namespace) if n) or None
            yield from _patterns(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def user_test(view):
    """The test a `user_passes_test` guard applies, wherever it stands in the decorators."""
    while view is not None:
        try:
            nonlocals = inspect.getclosurevars(view).nonlocals
        except TypeError:  # a class or a builtin: no closure to look into
            nonlocals = {}
        if callable(nonlocals.get("test_func")):
            return nonlocals["test_func"]
        view = getattr(view, "__wrapped__", None)
    return None


def arguments(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    return list(converters) if converters else list(pattern.pattern.regex.groupindex)


EDITOR_URLS = sorted(
    (name, tuple(arguments(p)))
    for name, p in _patterns(get_resolver().url_patterns)
    if not name.startswith("admin:") and user_test(p.callback) is not None
)


def test_the_resolver_yields_the_editor_pages():
    """The detection finds what a person would call the editor's pages (and not, say, none)."""
    names = {name for name, _ in EDITOR_URLS}
    assert {
        "archive:upload",
        "archive:desk",
        "archive:report_edit",
        "archive:report_publish",
        "archive:withdraw",
        "archive:restore",
        "explorer:correct",
    } <= names
    assert not names & {"archive:report_short", "archive:version", "search:search"}


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker, tmp_path_factory) -> Report:
    """One published report (with commitments) for the whole module: every request below is
    refused before it could change it, and state() checks that."""
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(tmp_path_factory.mktemp("editor_access") / "whoosh_index")
    with django_db_blocker.unblock():
        try:
            yield store_file((SEEDS_DIR / HEXI).read_bytes(), HEXI, publish=True).report
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)


def url_for(name: str, args: tuple[str, ...], report: Report) -> str:
    known = {
        "public_id": report.public_id,
        "pk": Commitment.objects.filter(version__report=report).values_list("pk", flat=True)[0],
        "batch": "0123456789abcdef",
        "number": report.current_version.number,
    }
    missing = [a for a in args if a not in known]
    assert not missing, f"{name}: give this test a value for {missing}"
    return reverse(name, kwargs={a: known[a] for a in args})


def state() -> tuple:
    """What an editor's request could change: reports, versions, the editorial log."""
    return (
        sorted(Report.objects.values_list("pk", "status", "title", "place_id", "year")),
        ReportVersion.objects.count(),
        EditorialAction.objects.count(),
        CommitmentCorrection.objects.count(),
    )


@pytest.fixture(params=["anonymous", "reader"])
def visitor(request, client, django_user_model):
    if request.param == "reader":
        reader = django_user_model.objects.create_user("reader", password="pw-reader-1")
        client.force_login(reader)
    return client


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "args"), EDITOR_URLS, ids=[n for n, _ in EDITOR_URLS])
def test_editor_urls_turn_away_anonymous_and_non_staff(visitor, report, name, args, method):
    url = url_for(name, args, report)
    before = state()
    data = {"reason": "x", "title": "改掉", "publish": "on", "note": "x", "marked_wrong": "on"}
    response = visitor.get(url) if method == "get" else visitor.post(url, data)
    assert response.status_code == 302, (url, response.status_code)
    assert reverse("admin:login") in response["Location"]
    assert state() == before


def test_the_guard_refuses_exactly_non_staff(django_user_model):
    """The guard found on each editor view lets staff through and nobody else."""
    reader = django_user_model.objects.create_user("r", password="pw-r-1")
    editor = django_user_model.objects.create_user("e", password="pw-e-1", is_staff=True)
    for name, p in _patterns(get_resolver().url_patterns):
        test = user_test(p.callback)
        if test is None or name.startswith("admin:"):
            continue
        assert not test(AnonymousUser()) and not test(reader) and test(editor), name

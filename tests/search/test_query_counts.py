"""Work per request, on the real archive: each page kind reads the database a bounded number
of times, whatever the report or the query: no query per row of a list, none per level of a
place's chain."""

from __future__ import annotations

import pytest

from archive.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(real_archive) -> list[Report]:
    """Reports of every level (nation, province, city, district), short and long, few and
    many commitments."""
    published = Report.objects.published().exclude(current_version=None)
    chosen = {r.place.level: r for r in published.exclude(place=None).select_related("place")}
    return [*chosen.values(), *published.order_by("public_id")[:3]]


def test_a_version_page_costs_the_same_few_queries_for_any_report(
    client, reports, django_assert_max_num_queries
):
    # Among them: the version's paging (its paragraphs' offsets, read on a version's first view
    # and then kept in the cache: pages are bounded in characters too) and the count of its
    # commitments (a page lists at most a bounded number of them).
    for report in reports:
        url = f"/r/{report.public_id}/v{report.current_version.number}/"
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url


def test_a_current_report_page_costs_the_same_few_queries(
    client, reports, django_assert_max_num_queries
):
    for report in reports:
        with django_assert_max_num_queries(11):  # as a version page: paging and the count
            assert client.get(f"/r/{report.public_id}/").status_code == 200


@pytest.mark.parametrize(
    "url, most",
    [
        ("/", 6),
        ("/search/?q=发展", 4),
        ("/search/?q=发展&view=grid", 4),
        ("/api/search?q=发展", 2),
        ("/search/trend/?q=发展", 2),
        ("/reports/", 3),
    ],
)
def test_lists_and_searches_do_not_query_per_row(
    client, real_archive, url, most, django_assert_max_num_queries
):
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_a_version_text_is_rendered_once_then_served_from_the_fragment_cache(client, reports):
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    from config.http_cache import release

    report = reports[0]
    version = report.current_version
    url = f"/r/{report.public_id}/v{version.number}/"
    key = make_template_fragment_key(
        "report_text", [report.public_id, version.number, version.text_sha256, 1, "", release()[0]]
    )
    assert cache.get(key) is None
    first = client.get(url).content.decode()
    fragment = cache.get(key)
    assert fragment and 'id="p1"' in fragment and fragment in first
    assert client.get(url).content.decode() == first
    # Marked terms are another fragment: the plain one is never shown with marks.
    marked = client.get(url, {"hl": "发展"}).content.decode()
    assert "<mark>" in marked and "<mark>" not in fragment


def _reads_held_reports(queries) -> bool:
    return any("readable_path" in q["sql"] and "archive_report" in q["sql"] for q in queries)


def test_the_grid_reads_which_reports_the_archive_holds_once_per_data_version(client, real_archive):
    """Every grid page tells "no report that year" from "the report does not mention it":
    that map of the whole archive is read once per data version, not per grid page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search import grid_layout
    from search.indexing import enqueue_report

    grid_layout._held_memo.clear()  # as in a new worker (an earlier test may have filled it)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/search/?q=发展&view=grid").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/search/?q=改革&view=grid").status_code == 200
    assert _reads_held_reports(first.captured_queries)
    assert not _reads_held_reports(second.captured_queries)
    # A publish, correction or withdrawal queues an index change: the map is read again.
    enqueue_report(Report.objects.published().first(), apply=False)
    with CaptureQueriesContext(connection) as after:
        assert client.get("/search/?q=改革&view=grid").status_code == 200
    assert _reads_held_reports(after.captured_queries)

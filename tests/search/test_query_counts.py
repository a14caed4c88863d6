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
    # and then kept in the cache: pages are bounded in characters too), the count of its
    # commitments (a page lists at most a bounded number of them) and, on a page's first view
    # only, its text (read apart, so that later views never load it).
    for report in reports:
        url = f"/r/{report.public_id}/v{report.current_version.number}/"
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200, url
        # Then its body is cached (archive.views_body): the version, the report around it,
        # the page's commitments and their count, the versions and the neighbours (up to 3).
        with django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200, url


def test_a_current_report_page_costs_the_same_few_queries(
    client, reports, django_assert_max_num_queries
):
    for report in reports:
        url = f"/r/{report.public_id}/"
        with django_assert_max_num_queries(12):  # as a version page: paging, count, text
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(8):  # its body cached: no sections, paragraphs, text
            assert client.get(url).status_code == 200


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


def test_a_version_page_body_is_rendered_once_then_served_from_the_cache(
    client, reports, monkeypatch
):
    """The contents list and the page of text are rendered on a version page's first view;
    later views (any worker: the cache is shared) neither render them nor read the sections,
    the paragraphs or the text again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from archive import views_body

    report = reports[0]
    version = report.current_version
    url = f"/r/{report.public_id}/v{version.number}/"
    rendered = []
    render_body = views_body.render_body

    def counted(*args, **kwargs):
        rendered.append(args[3])  # the marked terms
        return render_body(*args, **kwargs)

    monkeypatch.setattr(views_body, "render_body", counted)
    cache.delete(views_body.body_key(version, 1, ""))
    with CaptureQueriesContext(connection) as first_view:
        first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second_view:
        second = client.get(url).content.decode()
    assert second == first and 'id="p1"' in first
    assert rendered == [[]]  # once
    assert len(second_view.captured_queries) < len(first_view.captured_queries)
    read = " ".join(q["sql"] for q in second_view.captured_queries)
    assert 'FROM "archive_section"' not in read and 'FROM "archive_paragraph"' not in read
    assert '"archive_reportversion"."text"' not in read
    # Marked terms are another body: the plain one is never shown with marks.
    marked = client.get(url, {"hl": "发展"}).content.decode()
    assert rendered == [[], ["发展"]]
    assert "<mark>" in marked and "<mark>" not in first


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

"""An anonymous reader's current page (search, grid, API, report) is kept in the shared cache
under its ETag: a second request with the same ETag is answered without rendering, while a
publish (a new ETag) renders again, and a reader with a session is never served a kept page.
A kept page still counts in the search log: each reader is one search event."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive.models import Report
from config.observability import JsonFormatter
from search.indexing import enqueue_report

pytestmark = pytest.mark.django_db

URLS = ["/search/?q=发展", "/search/?q=发展&view=grid", "/api/search?q=发展", "/?q=改革"]


def test_a_second_request_is_served_as_kept_and_a_publish_renders_again(client, real_archive):
    report = Report.objects.published().exclude(current_version=None).order_by("public_id")[0]
    urls = [*URLS[:2], URLS[3], f"/r/{report.public_id}/"]
    first = {url: client.get(url) for url in urls}
    for url, response in first.items():
        assert response.status_code == 200 and response.templates, url
    for url in urls:
        again = client.get(url)
        assert again.status_code == 200
        assert not again.templates, url  # not rendered: the kept page
        assert again.content == first[url].content
        assert again["ETag"] == first[url]["ETag"]
        assert again["Content-Type"] == first[url]["Content-Type"]

    enqueue_report(report, apply=False)  # what a publish, correction or withdrawal queues
    for url in urls:
        after = client.get(url)
        assert after.status_code == 200 and after.templates, url  # a new ETag: rendered
        assert after["ETag"] != first[url]["ETag"]


def test_the_api_answer_is_kept_too(client, real_archive, monkeypatch):
    from search import views

    calls = []
    api = views._run

    def counted(*args, **kwargs):
        calls.append(1)
        return api(*args, **kwargs)

    monkeypatch.setattr(views, "_run", counted)
    first = client.get(URLS[2])
    again = client.get(URLS[2])
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and calls == [1]


def test_a_reader_with_a_session_is_never_served_a_kept_page(real_archive):
    anonymous = Client()
    assert anonymous.get(URLS[0]).status_code == 200
    user = get_user_model().objects.create_user("kept-pages-reader", password="pw-kept-1")
    reader = Client()
    reader.force_login(user)
    for _ in range(2):
        response = reader.get(URLS[0])
        assert response.status_code == 200 and response.templates
        assert "private" in response["Cache-Control"]


@pytest.fixture
def search_events(caplog):
    """The JSON search events the requests log (archive.search), as dicts."""
    logger = logging.getLogger("archive.search")
    logger.propagate = True
    formatter = JsonFormatter()
    try:
        with caplog.at_level(logging.INFO, logger="archive.search"):
            yield lambda: [
                json.loads(formatter.format(r)) for r in caplog.records if r.name == logger.name
            ]
    finally:
        logger.propagate = False


def test_every_reader_of_a_kept_page_is_counted_in_the_search_log(
    client, real_archive, search_events, django_assert_max_num_queries
):
    for url in URLS:
        assert client.get(url).status_code == 200, url
    rendered = search_events()
    assert [e["query"] for e in rendered] == ["发展", "发展", "发展", "改革"]
    assert not any("kept" in e for e in rendered)
    with django_assert_max_num_queries(1):  # the ETag's data version; the log costs none
        again = client.get(URLS[1])
    assert again.status_code == 200 and not again.templates  # served as kept
    for url in (URLS[0], URLS[2], URLS[3]):
        assert client.get(url).status_code == 200
    kept = search_events()[len(rendered) :]
    # The same searches, in the order they were served, each counted once more: its view,
    # hits, filters and page as when it was rendered, marked as kept.
    for event, original in zip(
        kept, [rendered[1], rendered[0], rendered[2], rendered[3]], strict=True
    ):
        for field in ("event", "view", "query", "filters", "hits", "page"):
            assert event[field] == original[field], field
        assert event["cached"] is True and event["kept"] is True


def test_a_refused_search_is_logged_every_time_and_never_kept(client, real_archive, search_events):
    for _ in range(2):
        assert client.get("/api/search", {"q": '"未闭合'}).status_code == 400
    events = search_events()
    assert len(events) == 2 and all(e["error"] and "kept" not in e for e in events)

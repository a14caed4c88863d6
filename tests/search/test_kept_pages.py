"""An anonymous reader's current page (search, grid, API, report) is kept in the shared cache
under its ETag: a second request with the same ETag is answered without rendering, while a
publish (a new ETag) renders again, and a reader with a session is never served a kept page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive.models import Report
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

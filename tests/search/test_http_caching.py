"""Pages say how long they stay true, on the real archive: immutable versions, their parts,
citations and originals carry strong ETags and `public, max-age, immutable`; current pages
and searches carry validators tied to the data and the index; conditional requests answer 304
without rendering; anything a session shaped is private."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from archive.models import Report, ReportStatus, ReportVersion
from config.http_cache import current_stale_seconds

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def version(real_archive) -> ReportVersion:
    # One with sections: public ids are random, and a fifth of the corpus has none.
    report = (
        Report.objects.published()
        .exclude(current_version=None)
        .filter(current_version__sections__isnull=False)
        .distinct()
        .order_by("public_id")
        .first()
    )
    return report.current_version


def immutable_urls(version: ReportVersion) -> list[str]:
    base = f"/r/{version.report.public_id}/v{version.number}/"
    section = version.sections.order_by("order").first()
    paragraph = version.paragraphs.order_by("number").first()
    return [
        base,
        f"{base}p{paragraph.number}/",
        f"{base}{section.anchor}/",
        f"{base}cite/bibtex/",
        f"{base}p{paragraph.number}/cite/ris/",
        f"{base}{section.anchor}/cite/gbt7714/",
        f"/sources/{version.source.sha256}/",
    ]


def test_immutable_pages_carry_a_strong_etag_and_say_immutable(client, version):
    for url in immutable_urls(version):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        etag = response["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), (url, etag)  # strong
        directives = cache_control(response)
        assert {"public", "immutable"} <= directives, (url, directives)
        assert any(d.startswith("max-age=") and int(d[8:]) > 0 for d in directives), url
        # An immutable page is revalidated in the open: nothing lets a proxy serve it stale.
        assert not any(d.startswith("stale-") for d in directives), (url, directives)


def test_a_conditional_request_answers_304_without_a_body(client, version):
    for url in immutable_urls(version):
        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        assert "immutable" in cache_control(again)


def test_if_modified_since_answers_304_on_a_version_page(client, version):
    url = f"/r/{version.report.public_id}/v{version.number}/"
    first = client.get(url)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert (
        client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 1990 00:00:00 GMT").status_code == 200
    )


def test_a_gzipped_page_has_a_weak_etag_and_still_revalidates(client, version):
    # Django's GZipMiddleware marks the ETag weak on what it compresses (another byte sequence).
    url = f"/r/{version.report.public_id}/v{version.number}/"
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and first["ETag"].startswith('W/"')
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_304_does_not_render_the_page(client, version, django_assert_max_num_queries):
    url = f"/r/{version.report.public_id}/v{version.number}/"
    etag = client.get(url)["ETag"]
    with django_assert_max_num_queries(2):  # the validator's own lookup (and the session's)
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_query_string_makes_another_etag(client, version):
    url = f"/r/{version.report.public_id}/v{version.number}/"
    assert client.get(url)["ETag"] != client.get(url, {"hl": "发展"})["ETag"]


def test_current_pages_and_searches_have_validators_and_a_short_max_age(client, version, settings):
    report = version.report
    urls = [
        f"/r/{report.public_id}/",
        report.get_absolute_url(),
        "/",
        "/search/?q=发展",
        "/search/?q=发展&view=grid",
        "/search/trend/?q=发展",
        "/api/search?q=发展",
        f"/r/{report.public_id}/cite/apa/",
    ]
    max_age, stale = settings.ARCHIVE_HTTP_CURRENT_MAX_AGE, current_stale_seconds()
    assert 0 < max_age and 0 < stale and max_age + stale <= 10  # found through a proxy in 10 s
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = cache_control(response)
        assert "public" in directives and "immutable" not in directives, (url, directives)
        assert {f"max-age={max_age}", f"stale-while-revalidate={stale}"} <= directives, url
        # The revalidation's 304 says the same, so that a proxy keeps the same window.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url
        assert cache_control(again) == directives, (url, cache_control(again))


def test_the_stale_window_is_cut_to_keep_a_publish_visible_within_ten_seconds(settings):
    settings.ARCHIVE_HTTP_CURRENT_MAX_AGE, settings.ARCHIVE_HTTP_CURRENT_STALE_SECONDS = 5, 4
    assert current_stale_seconds() == 4
    settings.ARCHIVE_HTTP_CURRENT_MAX_AGE, settings.ARCHIVE_HTTP_CURRENT_STALE_SECONDS = 8, 30
    assert current_stale_seconds() == 2
    settings.ARCHIVE_HTTP_CURRENT_MAX_AGE = 12
    assert current_stale_seconds() == 0


def test_no_stale_window_is_said_when_there_is_none(client, real_archive, settings):
    settings.ARCHIVE_HTTP_CURRENT_STALE_SECONDS = 0
    directives = cache_control(client.get("/api/search", {"q": "发展"}))
    assert f"max-age={settings.ARCHIVE_HTTP_CURRENT_MAX_AGE}" in directives
    assert not any(d.startswith("stale-") for d in directives), directives


def test_the_search_help_is_kept_like_a_current_page_and_revalidates_without_a_query(
    client, real_archive, settings, django_assert_max_num_queries
):
    response = client.get("/search/help/")
    assert response.status_code == 200
    directives = cache_control(response)
    assert "public" in directives and "immutable" not in directives, directives
    assert f"max-age={settings.ARCHIVE_HTTP_CURRENT_MAX_AGE}" in directives
    assert f"stale-while-revalidate={current_stale_seconds()}" in directives
    with django_assert_max_num_queries(0):
        assert client.get("/search/help/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_bad_search_is_still_a_clear_400_not_cached_as_a_page(client, real_archive):
    response = client.get("/api/search", {"q": ""})
    assert response.status_code == 400
    assert response.json()["error"].startswith("请")  # Chinese first
    directives = cache_control(response)
    assert "public" not in directives and not any(d.startswith("stale-") for d in directives)
    page = client.get("/search/", {"q": '"未闭合'})
    assert page.status_code == 400
    assert "public" not in cache_control(page) and "stale" not in page.get("Cache-Control", "")


def test_a_tombstone_keeps_its_minute_and_no_stale_window(client, version):
    report = version.report
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.WITHDRAWN)
    response = client.get(f"/r/{report.public_id}/v{version.number}/")
    assert response.status_code == 410
    directives = cache_control(response)
    assert "max-age=60" in directives and not any(d.startswith("stale-") for d in directives)


def test_an_unknown_version_is_a_404_with_no_cache_policy(client, version):
    response = client.get(f"/r/{version.report.public_id}/v999/")
    assert response.status_code == 404
    assert "ETag" not in response and "public" not in cache_control(response)


def test_staff_pages_and_sessions_are_private(version):
    staff = get_user_model().objects.create_user("editor-cache", password="x", is_staff=True)
    try:
        client = Client()
        client.force_login(staff)
        url = f"/r/{version.report.public_id}/v{version.number}/"
        response = client.get(url)
        assert response.status_code == 200
        directives = cache_control(response)
        assert {"private", "no-cache"} <= directives and "public" not in directives
        assert "immutable" not in directives
        assert "Cookie" in response["Vary"]
        # The editor's page (with its withdraw form) is not the reader's: another ETag.
        assert response["ETag"] != Client().get(url)["ETag"]
        assert "private" in cache_control(client.get("/desk/"))
    finally:
        staff.delete()


def test_a_reader_without_a_session_gets_a_public_page_that_varies_on_cookie(client, version):
    response = client.get(f"/r/{version.report.public_id}/v{version.number}/")
    assert "Set-Cookie" not in response and not response.cookies
    assert "public" in cache_control(response)

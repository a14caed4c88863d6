"""Rate limits on search, the API and admin login answer 429 in Chinese and English."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, monkeypatch):
    # One fixed window for the whole test: django-ratelimit counts per clock window, so a
    # test whose requests straddle a window's end would see its count start again.
    from django_ratelimit import core

    monkeypatch.setattr(core, "_get_window", lambda value, period: 1_800_000_000)
    settings.RATELIMIT_ENABLE = True
    settings.ARCHIVE_RATE_SEARCH = "3/m"
    settings.ARCHIVE_RATE_API = "2/m"
    settings.ARCHIVE_RATE_LOGIN = "2/m"
    settings.ARCHIVE_RATE_EXPENSIVE = "2/m"
    return settings


def test_search_page_is_limited_per_client(client, limits):
    answers = [client.get("/", {"q": "营商环境"}).status_code for _ in range(3)]
    assert 429 not in answers
    limited = client.get("/search/", {"q": "营商环境"})  # the same group as "/"
    assert limited.status_code == 429
    body = limited.content.decode()
    assert "请求过于频繁" in body and "Too many requests" in body
    assert limited["Retry-After"] == "60"
    # another client address still gets through
    assert client.get("/", {"q": "x"}, REMOTE_ADDR="10.0.0.9").status_code != 429


def test_api_is_limited_with_a_json_answer(client, limits):
    for _ in range(2):
        assert client.get("/api/search", {"q": "就业"}).status_code != 429
    limited = client.get("/api/search", {"q": "就业"})
    assert limited.status_code == 429
    assert "Too many requests" in json.loads(limited.content)["error"]


@pytest.mark.parametrize("path", ["/search/trend/", "/search/hits.csv"])
def test_the_trend_and_the_hit_export_share_the_expensive_budget(client, limits, path):
    for _ in range(2):
        assert client.get(path, {"q": "就业"}).status_code != 429
    assert client.get(path, {"q": "就业"}).status_code == 429


def test_admin_login_attempts_are_limited_but_not_the_form(client, limits):
    for _ in range(2):
        assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 200
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 429
    assert client.get("/admin/login/").status_code == 200


def test_report_pages_are_not_limited(client, limits):
    assert all(client.get("/reports/").status_code == 200 for _ in range(6))


def test_the_client_address_comes_from_the_configured_proxy_header(client, limits):
    limits.ARCHIVE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(2):
        client.get("/api/search", {"q": "x"}, HTTP_X_REAL_IP="203.0.113.1")
    assert client.get("/api/search", {"q": "x"}, HTTP_X_REAL_IP="203.0.113.1").status_code == 429
    assert client.get("/api/search", {"q": "x"}, HTTP_X_REAL_IP="203.0.113.2").status_code != 429


def test_limits_are_off_when_disabled(client, settings):
    settings.RATELIMIT_ENABLE = False
    settings.ARCHIVE_RATE_API = "1/m"
    assert all(client.get("/api/search", {"q": "x"}).status_code != 429 for _ in range(4))


def test_the_trend_and_the_registry_share_a_budget_of_their_own(client, limits):
    """The expensive public pages: /search/trend/ (which the search limit's pattern once
    missed) and the permalink registry."""
    assert client.get("/search/trend/", {"q": "发展"}).status_code != 429
    assert client.get("/permalinks.json").status_code != 429
    assert client.get("/search/trend/", {"q": "改革"}).status_code == 429
    assert client.get("/permalinks.csv").status_code == 429
    assert client.get("/", {"q": "改革"}).status_code != 429  # the search budget is apart


@pytest.mark.django_db(transaction=True)  # the index is written when the upload commits
def test_csv_downloads_never_carry_a_formula(client, seed_bytes):
    """A trend term is the reader's own text: a cell starting with = is neutralised."""
    from archive.services import store_file

    name = "001_46ac5d44bafe418d.txt"
    store_file(seed_bytes[name], name, publish=True)
    body = client.get("/search/trend/", {"q": "=发展", "format": "csv"}).content.decode()
    assert "\n'=发展," in body  # the term, kept, behind the quote a spreadsheet shows as text
    assert "\n=" not in body and ",=" not in body

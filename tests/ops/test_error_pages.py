"""Every error a reader can meet is a page in the site's own layout, Chinese first: 404,
410 (a withdrawn report's tombstone), 429, 500 and 503 — never a bare framework page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

LAYOUT = 'class="site-header"'  # base.html's header: the page is in the site's layout


def test_404_is_the_sites_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert LAYOUT in body and "页面不存在" in body and "Page not found" in body
    assert body.index("页面不存在") < body.index("Page not found")  # Chinese first


def test_500_is_the_sites_page(settings, monkeypatch):
    settings.DEBUG = False
    import archive.views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(archive.views, "Paginator", broken)  # the list of all reports fails
    client = Client(raise_request_exception=False)
    response = client.get("/reports/")
    body = response.content.decode()
    assert response.status_code == 500, body[:300]
    assert LAYOUT in body and "服务器出错" in body and "boom" not in body


def test_429_and_503_are_the_sites_page(client, settings, monkeypatch):
    from django_ratelimit import core

    # One clock window for both requests (a window ending between them would reset the count).
    monkeypatch.setattr(core, "_get_window", lambda value, period: 1_800_000_000)
    settings.RATELIMIT_ENABLE = True
    settings.ARCHIVE_RATE_SEARCH = "1/m"
    client.get("/", {"q": "发展"})
    limited = client.get("/", {"q": "发展"})
    body = limited.content.decode()
    assert limited.status_code == 429 and LAYOUT in body and "请求过于频繁" in body
    assert limited["Retry-After"] == "60"

    settings.RATELIMIT_ENABLE = False
    import search.views

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(search.views, "render", down)
    unavailable = client.get("/", {"q": "发展"})
    body = unavailable.content.decode()
    assert unavailable.status_code == 503 and LAYOUT in body and "暂时无法服务" in body
    assert unavailable["Retry-After"]

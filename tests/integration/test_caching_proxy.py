"""The archive behind nginx with config/nginx.conf itself (the file the README and the load test
use), in front of real gunicorn: current pages are served from the proxy's copy while one
request revalidates them in the background, a publish still reaches readers through the
proxy, 304s and the Chinese-first error pages keep working, editors and the health check
always reach Django.

The current pages' max-age is 1 s here (and their stale window 9 s, the most the 10 s promise
leaves), so that an entry expires within the test; the machine may be busy, so every wait is
a poll with a generous limit."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import requests

from bench.load_test import CachingProxy
from tests.integration.server import ArchiveServer

pytestmark = pytest.mark.slow

MAX_AGE, STALE = 1, 9


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    srv = ArchiveServer(
        tmp_path_factory.mktemp("caching-proxy"),
        workers=2,
        env={
            "ARCHIVE_HTTP_CURRENT_MAX_AGE": str(MAX_AGE),
            "ARCHIVE_HTTP_CURRENT_STALE_SECONDS": str(STALE),
        },
    )
    srv.prepare()
    srv.start()
    proxy = CachingProxy(srv.port)
    proxy.start()
    srv.proxy_url = f"http://127.0.0.1:{proxy.port}"
    yield srv
    proxy.stop()
    srv.stop()


def via_proxy(archive, path: str, **kwargs) -> requests.Response:
    return requests.get(archive.proxy_url + path, timeout=60, **kwargs)


def cache_status(response: requests.Response) -> str | None:
    return response.headers.get("X-Cache-Status")


def publish(archive, name: str, text: str) -> None:
    session = archive.editor_session()
    batch, _ = archive.upload(session, [(name, text.encode())], publish=True)
    [outcome] = archive.batch_outcome(session, batch)
    assert outcome["state"] == "done", outcome
    archive.wait_until_applied(limit=120)


def test_an_expired_page_is_answered_from_the_copy_while_it_is_revalidated(archive):
    path = "/search/?q=营商环境"
    first = via_proxy(archive, path)
    assert first.status_code == 200 and cache_status(first) == "MISS"
    assert f"stale-while-revalidate={STALE}" in first.headers["Cache-Control"]
    assert cache_status(via_proxy(archive, path)) == "HIT"
    # Past the max-age (nginx counts whole seconds), well inside the stale window.
    time.sleep(MAX_AGE + 1.1)
    stale = via_proxy(archive, path)
    assert stale.status_code == 200
    assert cache_status(stale) in ("STALE", "UPDATING"), cache_status(stale)
    assert stale.content == first.content
    # The background revalidation (a 304: nothing changed) makes the copy fresh again.
    deadline = time.monotonic() + 60
    while cache_status(response := via_proxy(archive, path)) != "HIT":
        assert time.monotonic() < deadline, cache_status(response)
        time.sleep(0.1)
    assert response.content == first.content


def test_a_publish_reaches_readers_through_the_proxy(archive):
    token = f"proxy-{time.time_ns()}"
    path = "/api/search?q=" + requests.utils.quote(f'"{token}"')
    before = via_proxy(archive, path)
    assert before.status_code == 200 and before.json()["count"] == 0
    publish(
        archive,
        "proxy-visible.txt",
        f"天津市和平区2003年政府工作报告（{token}）\n\n一、工作回顾\n\n城镇新增就业3万人。\n",
    )
    # The copy saying "not found" may still be served, but only from the cache (never a
    # fresh "not found" from Django), and the new answer comes through.
    deadline = time.monotonic() + 60
    while (response := via_proxy(archive, path)).json()["count"] == 0:
        assert cache_status(response) in ("HIT", "STALE", "UPDATING"), cache_status(response)
        assert time.monotonic() < deadline, "the publish never came through the proxy"
        time.sleep(0.2)
    assert response.json()["count"] >= 1


def test_conditional_requests_get_304_from_the_proxy(archive):
    path = "/api/search?q=发展"
    first = via_proxy(archive, path)
    again = via_proxy(archive, path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_error_pages_stay_chinese_first_and_are_not_kept(archive):
    for _ in range(2):
        missing = via_proxy(archive, "/no/such/page/")
        assert missing.status_code == 404
        assert missing.text.index("页面不存在") < missing.text.index("Page not found")
        refused = via_proxy(archive, "/api/search?q=")
        assert refused.status_code == 400
        assert refused.json()["error"].startswith("请给出检索词")
        for response in (missing, refused):
            assert cache_status(response) == "MISS"  # asked of Django every time
            assert "public" not in response.headers.get("Cache-Control", "")


def test_the_health_check_and_editors_always_reach_django(archive):
    health = via_proxy(archive, "/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert cache_status(health) is None  # not even through the cache (and its lock)
    session = archive.editor_session()
    response = session.get(archive.proxy_url + "/search/?q=发展", timeout=60)
    assert response.status_code == 200
    assert cache_status(response) == "BYPASS"
    assert "private" in response.headers["Cache-Control"]

"""The error pages as a reader meets them through gunicorn: 404, 410 (a withdrawn report's
permalink), 429 and 503 are pages in the site's own layout, Chinese first, never a bare
framework or gunicorn page. (500 needs a broken view, which only the in-process test in
tests/ops/test_error_pages.py can make; both run the same handler.)"""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import SEEDS_DIR
from tests.integration.server import ArchiveServer, csrf_token

pytestmark = pytest.mark.slow

LAYOUT = 'class="site-header"'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ArchiveServer(
        tmp_path_factory.mktemp("error-pages"),
        workers=2,
        env={"ARCHIVE_RATELIMIT": "true", "ARCHIVE_RATE_EXPENSIVE": "2/m"},
    )
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


def _site_page(response: requests.Response, status: int, zh: str, en: str) -> str:
    body = response.text
    assert response.status_code == status, (response.status_code, body[:300])
    assert response.headers["Content-Type"].startswith("text/html")
    assert LAYOUT in body, body[:500]
    assert zh in body and en in body and body.index(zh) < body.index(en), body[:800]
    return body


def test_404_410_429_and_503_are_the_sites_pages(server):
    _site_page(
        requests.get(f"{server.url}/no/such/page/", timeout=30), 404, "页面不存在", "Page not found"
    )

    session = server.editor_session()
    data = (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_bytes()
    batch, _ = server.upload(session, [("withdrawn.txt", data)], publish=True)
    [outcome] = server.batch_outcome(session, batch)
    public_id = outcome["report"]
    token = csrf_token(session, f"{server.url}/r/{public_id}/")
    withdrawn = session.post(
        f"{server.url}/r/{public_id}/withdraw/",
        data={"csrfmiddlewaretoken": token, "reason": "重复上传"},
        headers={"Referer": f"{server.url}/r/{public_id}/"},
        timeout=30,
        allow_redirects=False,
    )
    assert withdrawn.status_code == 302, withdrawn.text[:300]
    for url in (f"/r/{public_id}/", f"/r/{public_id}/v1/"):
        body = _site_page(
            requests.get(server.url + url, timeout=30),
            410,
            "此报告已撤回",
            "This report has been withdrawn",
        )
        assert "重复上传" in body

    answers = [requests.get(f"{server.url}/permalinks.json", timeout=60) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    _site_page(answers[2], 429, "请求过于频繁", "Too many requests")
    assert answers[2].headers["Retry-After"]

    # An unreadable index (its tables of contents overwritten), restored afterwards.
    tocs = {p: p.read_bytes() for p in (server.var_dir / "whoosh_index").glob("*.toc")}
    assert tocs
    try:
        for toc in tocs:
            toc.write_bytes(b"not a table of contents")
        found = requests.get(f"{server.url}/search/", params={"q": "发展"}, timeout=30)
        _site_page(found, 503, "暂时无法服务", "Service unavailable")
        assert found.headers["Retry-After"]
    finally:
        for toc, content in tocs.items():
            toc.write_bytes(content)
    assert "Internal Server Error" not in server.server_errors()
    assert not re.search(r"WORKER TIMEOUT", (server.var_dir / "gunicorn.log").read_text())

"""A report page's body (contents list and page of text) is rendered once per version page
and then served from the shared cache; around it, what can change is read on every view: a
new version shows on the current page at once, and so does a withdrawal."""

import pytest
from django.core.cache import cache

from archive import views_body
from archive.services import merge_draft_into, store_file
from archive.withdrawals import withdraw_report

pytestmark = pytest.mark.django_db

SEED = "001_46ac5d44bafe418d.txt"
NEW_LINE = "城镇新增就业3000人（第二版新增的句子 body-cache-check）。"


@pytest.fixture
def report(seed_bytes):
    cache.clear()
    return store_file(seed_bytes[SEED], SEED, publish=True).report


@pytest.fixture
def renders(monkeypatch) -> list:
    seen = []
    render_body = views_body.render_body

    def counted(version, *args, **kwargs):
        seen.append(version.number)
        return render_body(version, *args, **kwargs)

    monkeypatch.setattr(views_body, "render_body", counted)
    return seen


def test_a_new_version_shows_on_the_current_page_at_once(client, report, seed_bytes, renders):
    url = f"/r/{report.public_id}/"
    first = client.get(url).content.decode()
    assert client.get(url).content.decode() == first
    assert renders == [1]  # the second view came from the cache
    assert NEW_LINE not in first

    # A paragraph before the web page's closing links (which the parse cuts as chrome).
    data = seed_bytes[SEED].replace("推荐访问".encode(), f"{NEW_LINE}\n\n推荐访问".encode())
    draft = store_file(data, "second-version.txt").report
    merge_draft_into(draft, report)
    current = client.get(url).content.decode()
    assert NEW_LINE in current
    assert renders == [1, 2]
    # Version 1's own page still shows its own text, from its cached body, and says that a
    # newer version exists.
    old = client.get(f"/r/{report.public_id}/v1/").content.decode()
    assert NEW_LINE not in old and "此报告已有更新版本" in old
    assert renders == [1, 2]


def test_a_withdrawal_shows_on_every_page_at_once_though_the_bodies_are_cached(client, report):
    urls = [f"/r/{report.public_id}/", f"/r/{report.public_id}/v1/"]
    for url in urls:
        assert client.get(url).status_code == 200
    assert cache.get(views_body.body_key(report.current_version, 1, "")) is not None
    withdraw_report(report, reason="测试 test: withdrawn")
    for url in urls:
        page = client.get(url)
        assert page.status_code == 410, url
        assert NEW_LINE not in page.content.decode()
        assert 'id="p1"' not in page.content.decode()  # the tombstone, not the cached text

"""The explorer's downloads: no cell a spreadsheet would run as a formula (the table's CSV and
the pivot's), one computation per data version and query (a write shows at once), and a budget
of their own among the expensive pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import withdrawals
from archive.models import Commitment
from explorer import views
from tests.explorer.conftest import HAILAER


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def test_csv_downloads_never_carry_a_formula(hailaer, staff_client):
    report = hailaer[2016]
    commitment = Commitment.objects.filter(
        version_id=report.current_version_id, indicator="地区生产总值"
    ).first()
    staff_client.post(
        reverse("explorer:correct", args=[commitment.pk]),
        {
            "note": '=HYPERLINK("http://x")',
            "indicator": "地区生产总值",
            "value": commitment.value,
            "unit": commitment.unit,
            "kind": commitment.kind,
        },
    )
    place = report.place
    place.full_name = "=1+1" + place.full_name
    place.save()  # the explorer's table follows the rename
    table = _body(staff_client.get(reverse("explorer:commitments_csv"))).decode("utf-8-sig")
    pivot = _body(
        staff_client.get(reverse("explorer:pivot_csv"), {"indicator": "地区生产总值"})
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in table and "'=1+1" in table
    assert "'=1+1" in pivot
    for body in (table, pivot):
        assert "\n=" not in body and ",=" not in body and ',"=' not in body


def test_a_download_is_computed_once_per_data_version(hailaer, client, settings):
    settings.ARCHIVE_SEARCH_CACHE_SECONDS = 600
    url = reverse("explorer:commitments_csv") + f"?place={HAILAER}"
    first = _body(client.get(url))
    with CaptureQueriesContext(connection) as ctx:
        again = _body(client.get(url))
    assert again == first
    assert not any(
        "explorer_explorerrow" in q["sql"] for q in ctx.captured_queries
    )  # from the cache
    # a write the download shows gives a new version: the next answer is computed afresh
    withdrawals.withdraw_report(hailaer[2018], reason="测试 test")
    after = _body(client.get(url))
    assert after != first and b"2018," not in after


def test_a_large_download_is_streamed_and_not_kept(hailaer, client, settings):
    settings.ARCHIVE_SEARCH_CACHE_SECONDS = 600
    settings.ARCHIVE_DOWNLOAD_CACHE_MAX_BYTES = 1000
    url = reverse("explorer:commitments_json")
    first = client.get(url)
    assert first.streaming
    body = _body(first)
    assert body.startswith(b'{"source"') and len(body) > 1000
    with CaptureQueriesContext(connection) as ctx:
        assert _body(client.get(url)) == body
    assert any("explorer_explorerrow" in q["sql"] for q in ctx.captured_queries)  # computed again


@pytest.mark.parametrize(
    "path",
    [
        "/commitments.csv",
        "/commitments.json",
        "/commitments.dta",
        "/commitments/pivot.csv",
        "/commitments/pivot.parquet",
    ],
)
def test_downloads_share_the_budget_of_expensive_pages(db, client, settings, monkeypatch, path):
    from django_ratelimit import core

    monkeypatch.setattr(core, "_get_window", lambda value, period: 1_800_000_000)
    settings.RATELIMIT_ENABLE = True
    settings.ARCHIVE_RATE_EXPENSIVE = "2/m"
    for _ in range(2):
        assert client.get(path, {"indicator": "地区生产总值"}).status_code != 429
    limited = client.get(path, {"indicator": "地区生产总值"})
    assert limited.status_code == 429 and "请求过于频繁" in limited.content.decode()
    assert client.get(reverse("explorer:commitments")).status_code != 429  # the page is apart


def test_every_download_column_is_in_the_codebook():
    assert views.CSV_COLUMNS == [name for name, _ in views.CODEBOOK]

"""The explorer on the five 海拉尔区 reports of the shared corpus (2012, 2013, 2014, 2016,
2018). Expected values were read off the texts by hand:

    2012 预期目标是：地区生产总值达到240亿元，同比增长21%
    2013 主要预期目标是：地区生产总值增长20%，达到282亿元     (2012 result: 同比增长18.5%)
    2014 主要预期目标是：地区生产总值增长11%，达到282亿元     (2013 result: 同比增长10.1%)
    2016 主要预期目标是：地区生产总值增长7.5%，达到309亿元    (2015 result: 同比增长8.9%)
    2018 主要预期目标是：地区生产总值增长6%左右
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from archive.models import Commitment, EditorialAction, Place
from explorer import queries
from explorer import rules as explorer
from explorer.models import CommitmentCorrection
from tests.explorer.conftest import HAILAER

pytestmark = pytest.mark.django_db


def test_pivot_of_gdp_growth_targets(client, hailaer):
    # "GDP" is a synonym: the filter resolves it to 地区生产总值.
    response = client.get(
        reverse("explorer:pivot"),
        {"indicator": "GDP", "kind": "target", "measure": "rate", "place": HAILAER},
    )
    assert response.status_code == 200
    pivot = response.context["pivot"]
    assert pivot.years == list(range(2012, 2019))
    assert [r.place for r in pivot.rows] == [HAILAER]
    cells = [[(i.value, i.unit, i.qualifier) for i in cell] for cell in pivot.rows[0].cells]
    assert cells == [
        [(21, "%", "")],
        [(20, "%", "")],
        [(11, "%", "")],
        [],  # 2015: no report in the corpus
        [(7.5, "%", "")],
        [],  # 2017: no report
        [(6, "%", "左右")],
    ]
    html = response.content.decode()
    assert "6%左右" in html and html.count('class="gap"') == 2
    # Each cell links to the paragraph, with the number as written to mark.
    link = pivot.rows[0].cells[0][0].hl_url
    assert re.fullmatch(r"/r/[0-9a-z]+/v1/\?hl=21%25#p\d+", link)


def test_pivot_csv(client, hailaer):
    response = client.get(
        reverse("explorer:pivot_csv"), {"indicator": "地区生产总值", "place": HAILAER}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:8] == ["place", "2012", "2013", "2014", "2015", "2016", "2017", "2018"]
    assert rows[1][:8] == [HAILAER, "21%", "20%", "11%", "", "7.5%", "", "6%左右"]
    assert rows[1][8].startswith("http://testserver/r/")


def pairs_by_key(place):
    return {
        (p.target.year, p.target.indicator, p.target.unit): p for p in queries.track_record(place)
    }


def test_target_matched_with_next_years_result(hailaer):
    pairs = pairs_by_key(Place.objects.get(full_name=HAILAER))
    gdp_2012 = pairs[(2012, "地区生产总值", "%")]
    assert (gdp_2012.target.value, gdp_2012.result.value) == (21, 18.5)
    assert gdp_2012.status == explorer.Status.MISSED
    assert gdp_2012.result.report_public_id == hailaer[2013].public_id
    # 地方财政总收入达到20亿元 (2012) -> 完成20.67亿元 (2013 report): met.
    revenue = pairs[(2012, "财政收入", "亿元")]
    assert (revenue.result.value, revenue.status) == (20.67, explorer.Status.MET)
    # 确保新增城镇就业5400人 (2013) -> 全年新增就业5611人 (2014 report): met.
    jobs = pairs[(2013, "城镇新增就业", "人")]
    assert (jobs.result.value, jobs.status) == (5611, explorer.Status.MET)


def test_unmatched_target_says_so(client, hailaer):
    place = Place.objects.get(full_name=HAILAER)
    pairs = pairs_by_key(place)
    # 2014's target is for 2014; the 2016 report reviews 2015, and there is no 2015 report.
    gdp_2014 = pairs[(2014, "地区生产总值", "%")]
    assert gdp_2014.result is None and gdp_2014.status == explorer.Status.NO_RESULT
    assert pairs[(2018, "地区生产总值", "%")].status == explorer.Status.NO_RESULT
    page = client.get(reverse("explorer:track_record", args=[place.slug_path]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "未报告结果 no result reported" in html and "未达成 missed" in html


def test_table_filters_and_marks_the_number(client, hailaer):
    response = client.get(
        reverse("explorer:commitments"),
        {
            "indicator": "经济增长",
            "place": "内蒙古自治区呼伦贝尔市",
            "year_from": 2013,
            "year_to": 2014,
            "kind": "achievement",
            "measure": "rate",
        },
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.year, r.value) for r in rows] == [(2013, 18.5), (2014, 10.1)]
    assert "同比增长<mark>18.5%</mark>" in response.content.decode()


def test_bad_filters_are_a_400(client, db):
    assert (
        client.get(reverse("explorer:commitments"), {"indicator": "没有的指标"}).status_code == 400
    )
    assert client.get(reverse("explorer:commitments"), {"year_from": "x"}).status_code == 400


def test_csv_round_trip(client, hailaer):
    """Every row's permalink opens the paragraph that holds the number."""
    response = client.get(reverse("explorer:commitments_csv"), {"place": HAILAER})
    body = response.getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == Commitment.objects.count() > 100
    pages: dict[str, str] = {}
    for row in rows:
        url = urlsplit(row["permalink"])
        assert url.scheme == "http" and url.netloc == "testserver"
        anchor = url.fragment
        if url.path not in pages:
            page = client.get(url.path)
            assert page.status_code == 200
            pages[url.path] = page.content.decode()
        match = re.search(rf'<p id="{anchor}"[^>]*>(.*?)</p>', pages[url.path], re.S)
        assert match, row["permalink"]
        text = unescape(re.sub(r"<[^>]+>", "", match.group(1)))
        assert row["as_written"] and row["as_written"] in text, (row["as_written"], text[:80])
        assert row["sentence"] in text


def test_json_download(client, hailaer):
    response = client.get(
        reverse("explorer:commitments_json"),
        {"indicator": "地区生产总值", "kind": "target", "measure": "rate"},
    )
    data = json.loads(response.getvalue())
    assert [r["value"] for r in data["results"]] == [21, 20, 11, 7.5, 6]
    assert all(r["permalink"].startswith("http://testserver/r/") for r in data["results"])


def test_correction_is_logged_shown_and_kept_across_reparse(client, staff_client, hailaer):
    from archive.ingest.pipeline import parse_file
    from archive.services import add_version

    report = hailaer[2018]
    c = Commitment.objects.get(version=report.current_version, indicator="地区生产总值", unit="%")
    response = staff_client.post(
        reverse("explorer:correct", args=[c.pk]),
        {
            "indicator": "地区生产总值",
            "value": "6",
            "value_max": "6.5",
            "unit": "%",
            "qualifier": "",
            "kind": "target",
            "note": "原文为区间（示例更正）",
        },
    )
    assert response.status_code == 302
    action = EditorialAction.objects.filter(
        report=report, verb=EditorialAction.Verb.COMMITMENT
    ).get()
    assert action.changes["value_max"] == [None, 6.5]
    # A re-parse makes version 2 with new commitment rows: the correction still applies.
    source = report.current_version.source
    add_version(report, source, parse_file(source.read_bytes(), source.original_name))
    report.refresh_from_db()
    assert report.current_version.number == 2
    table = client.get(
        reverse("explorer:commitments"),
        {"indicator": "地区生产总值", "kind": "target", "measure": "rate", "year_from": 2018},
    )
    assert not table.wsgi_request.user.is_authenticated  # what a reader sees
    [row] = table.context["rows"]
    assert (row.value, row.value_max, row.corrected) == (6, 6.5, True)
    assert "/v2/" in row.url
    assert "已更正 corrected" in table.content.decode()
    # Marked wrong: gone from the tables.
    staff_client.post(
        reverse("explorer:correct", args=[row.id]), {"marked_wrong": "on", "note": "not a target"}
    )
    assert CommitmentCorrection.objects.count() == 2
    table = client.get(
        reverse("explorer:commitments"),
        {"indicator": "地区生产总值", "kind": "target", "measure": "rate", "year_from": 2018},
    )
    assert table.context["page"].paginator.count == 0


def test_correction_is_for_staff_only(client, hailaer):
    c = Commitment.objects.first()
    response = client.post(
        reverse("explorer:correct", args=[c.pk]), {"note": "x", "marked_wrong": "on"}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CommitmentCorrection.objects.exists()


def test_vocabulary_and_methods_pages(client, vocabulary):
    page = client.get(reverse("explorer:indicators"))
    html = page.content.decode()
    assert page.status_code == 200 and "地区生产总值" in html and "GDP" in html
    assert 'id="diqushengchanzongzhi"' in html
    methods = client.get(reverse("explorer:methods")).content.decode()
    for word in ("左右", "以上", "以内", "区间", "0.5"):
        assert word in methods

"""Places and coverage: a page per place (its years held, with gaps; the places below it; its
track record), the coverage page (places × years), and a home page that says what the archive
holds."""

from __future__ import annotations

import re

import pytest

from archive.models import Place, Report

pytestmark = pytest.mark.django_db


def _strip(html: str) -> list[tuple[str, str]]:
    strip = re.search(r'<ol class="coverage-strip".*?</ol>', html, re.S).group(0)
    return re.findall(r'<li class="(held|missing)">.*?(\d{4})', strip)


def test_place_page_shows_its_years_with_the_gaps(client, archive_slice):
    hailaer = Place.objects.get(name="海拉尔区")
    html = client.get(hailaer.get_absolute_url()).content.decode()
    assert _strip(html) == [("held", "2012"), ("held", "2013"), ("held", "2014")]
    for report in Report.objects.published().filter(place=hailaer):
        assert report.get_absolute_url() in html
    assert f"/track-record/{hailaer.slug_path}/" in html
    crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", crumb) == ["中华人民共和国", "内蒙古自治区", "呼伦贝尔市"]


def test_national_strip_marks_the_years_the_archive_lacks(client, archive_slice):
    nation = Place.objects.get(level="national")
    strip = _strip(client.get(nation.get_absolute_url()).content.decode())
    years = [int(y) for _, y in strip]
    assert years == list(range(1954, 2026))  # every year from the first to the last
    held = {int(y) for state, y in strip if state == "held"}
    assert held == {1954, 1978, 2012, 2024, 2025}


def test_place_page_lists_the_places_below_in_code_order(client, archive_slice):
    tianjin = Place.objects.get(full_name="天津市")
    html = client.get(tianjin.get_absolute_url()).content.decode()
    below = re.search(r'<ul class="child-places">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r">([^<>]+区)</a>", below) == ["和平区", "河西区", "南开区"]


def test_coverage_page_has_a_row_per_place_in_administrative_order(client, archive_slice):
    html = client.get("/coverage/").content.decode()
    rows = re.findall(r'<tr class="depth-(\d)"><th scope="row"><a [^>]*>([^<]+)</a>', html)
    names = [name for _, name in rows]
    assert names[:3] == ["中华人民共和国", "北京市", "天津市"]
    assert names[3:5] == ["和平区", "河西区"] and {d for d, _ in rows[3:5]} == {"1"}
    assert "南开区" not in names  # the archive holds only a news summary of its 2018 report
    assert names[-1] == "内蒙古自治区呼伦贝尔市海拉尔区"  # no row for its province or city
    held_links = re.findall(r'<td class="held"><a href="([^"]+)"', html)
    published = Report.objects.published().filter(
        doc_type__in=["work_report", "work_report_excerpt"], place__isnull=False, year__isnull=False
    )
    assert sorted(held_links) == sorted(r.get_absolute_url() for r in published)
    provinces = client.get("/coverage/", {"level": "province"}).content.decode()
    assert re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', provinces) == ["北京市", "天津市"]
    assert client.get("/coverage/", {"level": "<script>"}).status_code == 200


def test_home_page_says_what_the_archive_holds(client, archive_slice):
    html = client.get("/").content.decode()
    published = Report.objects.published()
    assert f"<strong>{published.count()}</strong> 份报告" in html
    assert "<strong>1954–2025</strong>" in html
    newest = published.order_by("-published_at", "-pk").first()
    newest_block = re.search(r'<ol class="newest">.*?</ol>', html, re.S).group(0)
    assert newest.get_absolute_url() in newest_block
    assert "/coverage/" in html


def test_help_page_examples_run_a_search(client, archive_slice):
    html = client.get("/search/help/").content.decode()
    links = re.findall(r'<li><a href="(/search/[^"]*)">', html)
    assert len(links) == 5 and all(link.startswith("/search/?q=") for link in links)
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and "search-summary" in response.content.decode()

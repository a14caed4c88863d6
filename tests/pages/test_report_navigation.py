"""A report page says where it sits (nation › province › city › district) and links the same
place's previous and next report, skipping the years the archive lacks."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from archive.models import Report
from tests.pages.conftest import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture
def hailaer():
    files = [CORPUS / "district" / f"hailaer_{y}.gbk.txt" for y in (2012, 2013, 2016)]
    call_command("import_reports", *map(str, files), verbosity=0)
    return {r.year: r for r in Report.objects.published().filter(place__name="海拉尔区")}


def _nav(html: str, rel: str) -> str | None:
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return match.group(1) if match else None


def test_breadcrumb_runs_from_the_nation_down(client, hailaer):
    html = client.get(hailaer[2013].get_absolute_url()).content.decode()
    crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    names = re.findall(r"<a [^>]*>([^<]+)</a>", crumb)
    assert names == ["中华人民共和国", "内蒙古自治区", "呼伦贝尔市", "海拉尔区"]
    assert '<li aria-current="page">2013</li>' in crumb


def test_previous_and_next_year_of_the_same_place(client, hailaer):
    middle = client.get(hailaer[2013].get_absolute_url()).content.decode()
    assert _nav(middle, "prev") == hailaer[2012].get_absolute_url()
    assert _nav(middle, "next") == hailaer[2016].get_absolute_url()  # 2014, 2015 not held
    first = client.get(hailaer[2012].get_absolute_url()).content.decode()
    assert _nav(first, "prev") is None and _nav(first, "next") == hailaer[2013].get_absolute_url()


def test_a_draft_is_not_offered_as_a_neighbour(client, hailaer):
    hailaer[2016].status = "draft"
    hailaer[2016].save()
    html = client.get(hailaer[2013].get_absolute_url()).content.decode()
    assert _nav(html, "next") is None


def test_highlighted_report_offers_the_hit_stepper(client, hailaer):
    url = hailaer[2013].get_absolute_url()
    assert "data-hit-stepper" in client.get(url, {"hl": "发展"}).content.decode()
    assert "data-hit-stepper" not in client.get(url).content.decode()

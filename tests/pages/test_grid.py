"""The place × year grid at the scale of a country, on the seeds and a slice of the real
corpus: rows in GB/T 2260 order grouped under their parent places, a level filter, and empty
cells that say whether the archive holds that place's report for that year."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.models import Place, Report
from search import grid_layout
from tests.conftest import SEEDS_DIR, restore_index_settings, use_index_dir
from tests.pages.conftest import CORPUS, CORPUS_SLICE

pytestmark = pytest.mark.django_db

RESOLUTION_2020 = CORPUS / "not-reports" / "national_resolution_000000_2020.txt"
QUERY = "营商环境"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Imported once for the module (the slow part); emptied afterwards."""
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(Path(tmp_path_factory.mktemp("grid")) / "whoosh_index")
    with django_db_blocker.unblock():
        try:
            files = [SEEDS_DIR, *CORPUS_SLICE, RESOLUTION_2020]
            call_command("import_reports", *map(str, files), verbosity=0)
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)


def _rows(html: str) -> list[dict]:
    rows = []
    for attrs, body in re.findall(r'<tr class="([^"]*)" data-row[^>]*>(.*?)</tr>', html, re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', body, re.S).group(1)
        label = re.sub(r"<button.*?</button>", "", header, flags=re.S).strip()
        cells = re.findall(r'<td(?: class="([^"]*)")?>(.*?)</td>', body, re.S)
        rows.append(
            {
                "class": attrs,
                "label": label,
                "cells": cells,
                "title": re.search(r'<th scope="row"(?: title="([^"]*)")?', body).group(1),
            }
        )
    return rows


def test_rows_run_in_administrative_order_grouped_under_their_province(client, seeded):
    html = client.get("/search/", {"q": QUERY, "view": "grid"}).content.decode()
    labels = [r["label"] for r in _rows(html)]
    # The nation first, then provinces by code, each followed by the places below it.
    assert labels[:3] == ["中华人民共和国", "北京市", "天津市"]
    tianjin = labels.index("天津市")
    below = [r for r in _rows(html)[tianjin + 1 :] if "depth-1" in r["class"]]
    assert below and all(r["title"].startswith("天津市") for r in below)
    codes = [Place.objects.get(full_name=r["title"]).code for r in below]
    assert codes == sorted(codes)
    provinces = [r["label"] for r in _rows(html) if "level-province" in r["class"]]
    province_codes = [Place.objects.get(full_name=p).code for p in provinces]
    assert province_codes == sorted(province_codes)
    assert "data-fold" in html  # 天津市 can fold its districts


def test_level_filter_keeps_rows_of_one_level(client, seeded):
    html = client.get("/search/", {"q": QUERY, "view": "grid", "level": "district"}).content
    rows = _rows(html.decode())
    assert rows and all("level-district" in r["class"] for r in rows)
    everything = _rows(client.get("/search/", {"q": QUERY, "view": "grid"}).content.decode())
    assert len(everything) > len(rows)
    bad = client.get("/search/", {"q": QUERY, "view": "grid", "level": "<x>"})
    assert bad.status_code == 200 and len(_rows(bad.content.decode())) == len(everything)


@pytest.mark.parametrize("query", [QUERY, "电子商务"])
def test_empty_cells_say_whether_the_archive_holds_the_report(client, seeded, query):
    html = client.get("/search/", {"q": query, "view": "grid"}).content.decode()
    years = re.findall(r'<th scope="col">([^<]+)</th>', html)[1:]
    seen = {"no-report": 0, "no-mention": 0}
    for row in _rows(html):
        place = row["title"] or row["label"]
        if place.startswith("地点未知"):
            continue
        for year, (css, body) in zip(years, row["cells"], strict=True):
            if not year.isdigit():
                continue
            reports = Report.objects.published().filter(
                place__full_name=place,
                year=int(year),
                doc_type__in=["work_report", "work_report_excerpt"],
            )
            if css == "no-report":
                seen[css] += 1
                assert "未收录" in body and not reports.exists(), (place, year)
            elif css == "no-mention":
                seen[css] += 1
                report = reports.first()
                assert report is not None and report.get_absolute_url() in body
                assert query not in report.current_version.text, (place, year)
            else:
                assert "处</a>" in body
    if query == QUERY:  # the nation and Tianjin's districts hit in years the other lack
        assert seen["no-report"] > 3
    else:  # in the national 2012 report and in 海拉尔区's 2014 one, not in its 2012 one
        assert seen["no-mention"] >= 1


def test_a_congress_resolution_is_not_the_report(seeded):
    # 2020: the archive holds only the resolution approving the national report.
    held = grid_layout.held_reports(["中华人民共和国"], [2020, 2024, None])
    assert set(held) == {("中华人民共和国", 2024)}
    assert Report.objects.published().filter(year=2020, place__level="national").exists()

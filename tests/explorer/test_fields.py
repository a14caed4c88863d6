"""The commitment fields of the parse_report contract (direction, period, horizon, scope,
baseline, normalised) on the write path, in the downloads, and under editors' corrections,
on the five 海拉尔区 reports of the shared corpus. Expected values read off the texts:

    2016 (review) 地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元，年均增长12.1%
    2012 (targets) 地区生产总值达到240亿元，同比增长21%
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from archive.models import Commitment
from tests.explorer.conftest import HAILAER

pytestmark = pytest.mark.django_db


def test_stored_commitments_carry_the_contract_fields(hailaer):
    v2016 = hailaer[2016].current_version
    level = Commitment.objects.get(
        version=v2016, indicator="地区生产总值", value=287.9, baseline__isnull=False
    )
    assert (level.baseline, level.direction, level.normalised) == (162.4, "up", True)
    average = Commitment.objects.get(version=v2016, indicator="地区生产总值", value=12.1)
    assert (average.period, average.direction) == ("multi_year_average", "up")
    target = Commitment.objects.get(
        version=hailaer[2012].current_version, indicator="地区生产总值", value=21
    )
    assert (target.direction, target.period, target.scope, target.kind) == (
        "up",
        "year",
        "",
        "target",
    )
    assert Commitment.objects.filter(normalised=False).exists()  # names outside the vocabulary


def test_downloads_carry_the_fields(client, hailaer):
    response = client.get(
        reverse("explorer:commitments_csv"), {"place": HAILAER, "indicator": "地区生产总值"}
    )
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert {"direction", "period", "horizon", "scope", "baseline", "normalised"} <= set(rows[0])
    [row] = [r for r in rows if r["value"] == "12.1"]
    assert (row["period"], row["direction"]) == ("multi_year_average", "up")
    response = client.get(
        reverse("explorer:commitments_json"), {"place": HAILAER, "indicator": "地区生产总值"}
    )
    results = json.loads(response.getvalue())["results"]
    [level] = [r for r in results if r["value"] == 287.9 and r["baseline"] is not None]
    assert (level["baseline"], level["scope"], level["normalised"]) == (162.4, None, True)


def test_a_correction_of_the_new_fields_survives_reparse(client, staff_client, hailaer):
    from archive.ingest.pipeline import parse_file
    from archive.services import add_version

    report = hailaer[2012]
    c = Commitment.objects.get(version=report.current_version, indicator="地区生产总值", value=21)
    response = staff_client.post(
        reverse("explorer:correct", args=[c.pk]),
        {
            "indicator": "",
            "qualifier": "",
            "direction": "up",
            "period": "cumulative",
            "horizon": "2012",
            "scope": "示例片区",
            "note": "示例更正 scope and period",
        },
    )
    assert response.status_code == 302
    source = report.current_version.source
    add_version(report, source, parse_file(source.read_bytes(), source.original_name))
    report.refresh_from_db()
    assert report.current_version.number == 2
    response = client.get(
        reverse("explorer:commitments_json"),
        {"place": HAILAER, "indicator": "地区生产总值", "kind": "target", "measure": "rate"},
    )
    [row] = [r for r in json.loads(response.getvalue())["results"] if r["value"] == 21]
    assert (row["period"], row["horizon"], row["scope"], row["corrected"]) == (
        "cumulative",
        2012,
        "示例片区",
        True,
    )
    assert "/v2/" in row["permalink"]


def test_a_bad_correction_is_refused_with_a_message(staff_client, hailaer):
    c = Commitment.objects.filter(version=hailaer[2012].current_version).first()
    response = staff_client.post(
        reverse("explorer:correct", args=[c.pk]),
        {"period": "forever", "horizon": "3000", "note": "x"},
    )
    assert response.status_code == 200  # the form again, with its errors; never a 500
    assert response.context["form"].errors.keys() >= {"period", "horizon"}


def test_codebook_has_one_line_per_download_column(client, hailaer):
    from explorer.views import CSV_COLUMNS

    page = client.get(reverse("explorer:codebook"))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(html.count(f'id="col-{c}"') == 1 for c in CSV_COLUMNS)
    response = client.get(reverse("explorer:commitments_csv"), {"place": HAILAER})
    header = next(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert header == CSV_COLUMNS


@pytest.mark.parametrize("fmt", ["parquet", "dta"])
def test_panel_downloads_read_back_with_the_csv_rows(client, hailaer, fmt):
    import pandas as pd

    from explorer.views import CSV_COLUMNS

    params = {"place": HAILAER, "indicator": "地区生产总值"}
    response = client.get(reverse("explorer:commitments_panel", args=[fmt]), params)
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'.{fmt}"')
    body = io.BytesIO(response.content)
    df = pd.read_parquet(body) if fmt == "parquet" else pd.read_stata(body)
    assert list(df.columns) == CSV_COLUMNS
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("explorer:commitments_csv"), params)
                .getvalue()
                .decode("utf-8-sig")
            )
        )
    )
    assert len(df) == len(csv_rows) > 10
    assert sorted(df["value"].round(4)) == sorted(round(float(r["value"]), 4) for r in csv_rows)
    row = df[(df["value"] == 12.1) & (df["year"] == 2016)].iloc[0]
    assert (row["period"], row["direction"], row["place"]) == ("multi_year_average", "up", HAILAER)
    assert row["permalink"].startswith("http://testserver/r/")


@pytest.mark.parametrize("fmt", ["parquet", "dta"])
def test_pivot_panel_is_long_one_row_per_number(client, hailaer, fmt):
    import pandas as pd

    response = client.get(
        reverse("explorer:pivot_panel", args=[fmt]),
        {"indicator": "地区生产总值", "kind": "target", "measure": "rate", "place": HAILAER},
    )
    assert response.status_code == 200
    body = io.BytesIO(response.content)
    df = pd.read_parquet(body) if fmt == "parquet" else pd.read_stata(body)
    assert list(zip(df["year"].astype(int), df["value"], strict=True)) == [
        (2012, 21),
        (2013, 20),
        (2014, 11),
        (2016, 7.5),
        (2018, 6),
    ]
    assert set(df["direction"]) == {"up"}


def test_panel_download_refuses_bad_filters(client, hailaer):
    response = client.get(reverse("explorer:commitments_panel", args=["dta"]), {"year_from": "abc"})
    assert response.status_code == 400
    assert client.get("/commitments.xlsx").status_code == 404

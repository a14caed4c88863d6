"""Readable place links in pinyin as the places are called: every division of the shipped
gazetteer against the reviewed list (tests/archive/data/place_slugs.tsv), the well-known
polyphonic names, and the data migration that corrects stored slugs while every old path keeps
answering 301."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archive.ingest.gazetteer import _index
from archive.models import Place, PlaceAlias, Report, ReportAlias
from archive.place_names import pinyin_slug, place_slug, readings
from tests.conftest import SHARED

REVIEWED = Path(__file__).with_name("data") / "place_slugs.tsv"


def _reviewed() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in REVIEWED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name, slug = line.split("\t")
            rows[code] = (name, slug)
    return rows


def test_every_gazetteer_division_has_its_reviewed_slug():
    reviewed = _reviewed()
    divisions = _index()[1]
    assert len(divisions) == len(reviewed) > 3000
    wrong = [
        (d.code, d.name, place_slug(d.name), reviewed[d.code][1])
        for d in divisions
        if place_slug(d.name) != reviewed[d.code][1]
    ]
    assert not wrong, wrong[:20]
    assert all(reviewed[d.code][0] == d.name for d in divisions)


@pytest.mark.parametrize(
    "name,slug",
    [
        ("朝阳区", "chaoyang-qu"),
        ("朝阳市", "chaoyang-shi"),
        ("长治市", "changzhi-shi"),
        ("长子县", "zhangzi-xian"),  # the exception to 长 chang
        ("单县", "shan-xian"),
        ("洪洞县", "hongtong-xian"),
        ("陕西省", "shaanxi-sheng"),
        ("山西省", "shanxi-sheng"),
        ("六安市", "luan-shi"),
        ("蚌埠市", "bengbu-shi"),
        ("乐亭县", "laoting-xian"),
        ("成都市", "chengdu-shi"),
        ("闵行区", "minhang-qu"),
        ("万柏林区", "wanbailin-qu"),
        ("和平区", "heping-qu"),
        ("内蒙古自治区", "neimenggu-zizhiqu"),
    ],
)
def test_polyphonic_place_names_read_as_the_places_are_called(name, slug):
    assert place_slug(name) == slug


def test_every_reviewed_reading_has_a_syllable_per_character():
    assert all(len(reading.split()) == len(name) for name, reading in readings().items())


def test_names_that_are_not_places_keep_plain_pinyin():
    # Indicator slugs are stored: 增长 is zengzhang there, whatever 长 reads in place names.
    assert pinyin_slug("经济增长") == "jingjizengzhang"


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_stored_slugs_are_corrected_and_old_links_redirect(client):
    shaanxi_file = SHARED / "corpus" / "province-2025" / "province_610000_2025.docx"
    beijing_file = SHARED / "corpus" / "province-2025" / "province_110000_2025.docx"
    call_command("import_reports", str(shaanxi_file), str(beijing_file), verbosity=0)
    shaanxi = Place.objects.get(code="610000")
    report = Report.objects.get(place=shaanxi)
    beijing = Place.objects.get(code="110000")
    # As the old rule stored them: 陕西 read like 山西 and numbered apart; 朝阳 read zhaoyang.
    Place.objects.filter(pk=shaanxi.pk).update(slug="shanxi-sheng-610000")
    Report.objects.filter(pk=report.pk).update(readable_path="shanxi-sheng-610000/2025/work-report")
    chaoyang = Place.objects.create(
        name="朝阳区",
        full_name="北京市朝阳区",
        level="district",
        code="110105",
        parent=beijing,
        slug="zhaoyang-qu",
    )
    chosen = Place.objects.create(
        name="海淀区",
        full_name="北京市海淀区",
        level="district",
        code="110108",
        parent=beijing,
        slug="haidian-by-hand",
    )

    # Every app's leaf: going back to archive 0003 also unapplies the apps built on it (the
    # explorer), which must come back too.
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate([("archive", "0003_explorer")])
    _migrate([("archive", "0005_place_slugs_from_place_readings")])
    _migrate(leaf)

    shaanxi.refresh_from_db()
    chaoyang.refresh_from_db()
    chosen.refresh_from_db()
    report.refresh_from_db()
    assert shaanxi.slug == "shaanxi-sheng" and chaoyang.slug == "chaoyang-qu"
    assert chosen.slug == "haidian-by-hand"  # an editor's choice stays
    assert report.readable_path == "shaanxi-sheng/2025/work-report"

    old = client.get("/places/shanxi-sheng-610000/")
    assert old.status_code == 301 and old["Location"] == "/places/shaanxi-sheng/"
    assert client.get("/places/shaanxi-sheng/").status_code == 200
    old = client.get("/places/beijing-shi/zhaoyang-qu/")
    assert old.status_code == 301 and old["Location"] == "/places/beijing-shi/chaoyang-qu/"
    old_report = client.get("/reports/shanxi-sheng-610000/2025/work-report/")
    assert old_report.status_code == 301
    assert old_report["Location"] == "/reports/shaanxi-sheng/2025/work-report/"
    assert client.get(old_report["Location"]).status_code == 200
    feed = client.get("/places/shanxi-sheng-610000/feed/")
    assert feed.status_code == 301 and feed["Location"] == "/places/shaanxi-sheng/feed/"
    track = client.get("/track-record/shanxi-sheng-610000/")
    assert track.status_code == 301 and track["Location"] == "/track-record/shaanxi-sheng/"
    assert client.get(track["Location"]).status_code == 200
    assert set(PlaceAlias.objects.values_list("path", flat=True)) == {
        "shanxi-sheng-610000",
        "beijing-shi/zhaoyang-qu",
    }
    assert ReportAlias.objects.filter(path="shanxi-sheng-610000/2025/work-report").exists()


@pytest.mark.django_db
def test_a_new_place_gets_the_corrected_slug(client):
    shaanxi_file = SHARED / "corpus" / "province-2025" / "province_610000_2025.docx"
    call_command("import_reports", str(shaanxi_file), verbosity=0)
    report = Report.objects.get(place__code="610000")
    assert report.readable_path == "shaanxi-sheng/2025/work-report"

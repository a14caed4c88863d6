"""Importing files: seeds, idempotence, GB18030 originals kept byte for byte."""

from io import StringIO

import pytest
from django.core.management import call_command

from archive.models import Report, ReportVersion, SourceFile
from tests.conftest import SEEDS_DIR, SHARED

pytestmark = pytest.mark.django_db

HAILAER_2016 = SHARED / "corpus" / "district" / "hailaer_2016.gbk.txt"


def run_import(*paths) -> str:
    out = StringIO()
    call_command("import_reports", *map(str, paths), stdout=out, stderr=out)
    return out.getvalue()


def test_seeds_import_once_however_often_imported():
    first = run_import(SEEDS_DIR)
    assert "stored 5, duplicates 0, rejected 0" in first
    second = run_import(SEEDS_DIR)
    assert "stored 0, duplicates 5, rejected 0" in second
    assert Report.objects.count() == 5
    assert ReportVersion.objects.count() == 5
    assert SourceFile.objects.count() == 5


def test_seed_metadata_is_stored_and_unknown_stays_unknown():
    run_import(SEEDS_DIR)
    by_file = {
        v.source.original_name: v.report
        for v in ReportVersion.objects.select_related("report__place", "source")
    }
    hexi = by_file["001_46ac5d44bafe418d.txt"]
    assert hexi.place.full_name == "天津市河西区" and hexi.year == 2016
    assert hexi.doc_type == "work_report" and hexi.is_published
    heping = by_file["002_e1615011aa9b1423.txt"]
    assert heping.place.full_name == "天津市和平区" and heping.year == 2020
    masked = by_file["003_d3a4d4b7c09b3dbf.txt"]
    assert masked.place is None and masked.year is None
    assert masked.readable_path.startswith("unknown-place/unknown-year/")


def test_gb18030_original_imports_and_is_kept_byte_for_byte():
    original = HAILAER_2016.read_bytes()
    run_import(HAILAER_2016)
    report = Report.objects.get()
    assert report.place.full_name.endswith("海拉尔区")
    assert report.year == 2016
    version = report.current_version
    assert "各位代表" in version.text
    assert version.source.read_bytes() == original
    assert version.source.sha256 == SourceFile.hash_bytes(original)


def test_a_file_the_pipeline_rejects_leaves_nothing_behind(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = run_import(empty)
    assert "rejected 1" in out
    assert SourceFile.objects.count() == 0 and Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_bytes_uploaded_at_once_make_one_report(seed_bytes):
    """Four editors upload the same file at the same moment: one report, four answers naming it."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from archive.services import store_file

    data = seed_bytes["002_e1615011aa9b1423.txt"]

    def upload(i):
        try:
            return store_file(data, f"copy-{i}.txt", publish=True).report.public_id
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(upload, range(4)))
    assert len(set(ids)) == 1
    assert Report.objects.count() == 1 and SourceFile.objects.count() == 1

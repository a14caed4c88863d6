"""Page tests: the archive as readers and editors see it, on the seeds plus a slice of the real
corpus that has every level (nation, provinces, a city's district over several years)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser.conftest import browser  # noqa: F401  (the Selenium fixture)
from tests.conftest import PROJECT_ROOT, SEEDS_DIR, SHARED, restore_index_settings, use_index_dir

CORPUS = SHARED / "corpus"
CORPUS_SLICE = [
    CORPUS / "national" / "national_000000_1954.txt",
    CORPUS / "national" / "national_000000_1978.txt",
    CORPUS / "national" / "national_000000_2012.txt",
    CORPUS / "national" / "national_000000_2024.txt",
    CORPUS / "national" / "national_000000_2025.txt",
    CORPUS / "province-2025" / "province_110000_2025.docx",
    CORPUS / "province-2025" / "province_120000_2025.docx",
    CORPUS / "district" / "hailaer_2012.gbk.txt",
    CORPUS / "district" / "hailaer_2013.gbk.txt",
    CORPUS / "district" / "hailaer_2014.gbk.txt",
]
# Screenshots a person can look at after a run (the folder is ignored by git with var/).
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
PHONE = (390, 844)
LAPTOP = (1366, 900)


@pytest.fixture
def seeded(transactional_db, tmp_path):
    """Seeds and the corpus slice, published and indexed (an index of its own), with the
    indicator vocabulary and an editor account. Per test: the live server empties the
    database after each test. (Named `seeded` so that the suite's per-test empty index leaves
    this prepared one in place.)"""
    missing = [p for p in CORPUS_SLICE if not p.is_file()]
    assert not missing, f"the shared corpus belongs beside the project: {missing[0]} is missing"
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(tmp_path / "whoosh_index")
    try:
        call_command("load_indicators", verbosity=0)
        call_command("import_reports", str(SEEDS_DIR), *map(str, CORPUS_SLICE), verbosity=0)
        from django.contrib.auth import get_user_model

        from archive.models import Report

        # A second version of one report, so that the versions and diff pages have two.
        first = Report.objects.filter(place__name="海拉尔区").order_by("year").first()
        call_command("reparse_reports", first.public_id, "--force", verbosity=0)
        # A withdrawn report, for the tombstone page.
        from archive.withdrawals import withdraw_report

        withdraw_report(
            Report.objects.get(place__level="national", year=1978),
            reason="示例撤回 withdrawn for the page tests",
        )
        get_user_model().objects.create_user("editor", password="pw-editor-1", is_staff=True)
        yield
    finally:
        restore_index_settings(old)


@pytest.fixture(scope="module")
def archive_slice(django_db_setup, django_db_blocker, tmp_path_factory):
    """The same archive, imported once for a module of tests that read pages through Django's
    test client (no live server, so nothing empties the database between its tests)."""
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(tmp_path_factory.mktemp("slice") / "whoosh_index")
    with django_db_blocker.unblock():
        try:
            call_command("load_indicators", verbosity=0)
            call_command("import_reports", str(SEEDS_DIR), *map(str, CORPUS_SLICE), verbosity=0)
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)

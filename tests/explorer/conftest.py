"""Fixtures for the commitments explorer: the five 海拉尔区 reports of the shared corpus,
imported the way an editor would, and the indicator vocabulary loaded into the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.browser.conftest import browser  # noqa: F401  (the Selenium fixture)
from tests.conftest import SHARED

HAILAER = "内蒙古自治区呼伦贝尔市海拉尔区"
HAILAER_FILES = [
    SHARED / "corpus" / "district" / f"hailaer_{y}.gbk.txt" for y in (2012, 2013, 2014, 2016, 2018)
]


@pytest.fixture
def vocabulary(db):
    call_command("load_indicators", verbosity=0)


def import_hailaer() -> dict:
    """The five reports, imported and published (import_reports also indexes them)."""
    missing = [p for p in HAILAER_FILES if not Path(p).is_file()]
    assert not missing, f"the shared corpus belongs beside the project: {missing[0]} is missing"
    call_command("import_reports", *[str(p) for p in HAILAER_FILES], verbosity=0)
    from archive.models import Report

    reports = {r.year: r for r in Report.objects.published().filter(place__full_name=HAILAER)}
    assert sorted(reports) == [2012, 2013, 2014, 2016, 2018]
    return reports


@pytest.fixture(scope="module")
def _hailaer_once(django_db_setup, django_db_blocker):
    """Import once per module, inside a transaction rolled back at the end (each test then
    runs in a savepoint of its own): the import is the slow part."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_indicators", verbosity=0)
            yield {year: r.pk for year, r in import_hailaer().items()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def hailaer(db, _hailaer_once):
    from archive.models import Report

    return {year: Report.objects.get(pk=pk) for year, pk in _hailaer_once.items()}


@pytest.fixture
def hailaer_committed(transactional_db):
    """The same, committed, for the live server's thread to see."""
    call_command("load_indicators", verbosity=0)
    return import_hailaer()

"""A renamed place is found by its new name at once, in its reports and those below it."""

from __future__ import annotations

import pytest

from archive.models import Place
from archive.services import store_file
from search import whoosh_engine
from search.cache import data_version
from search.indexing import apply_pending
from search.models import IndexChange
from search.query import parse_query

pytestmark = pytest.mark.django_db


def count(q: str) -> int:
    whoosh_engine.holder.reset()
    return whoosh_engine.run(parse_query(q)).count


def test_renaming_a_place_reindexes_its_reports_and_those_below(seed_bytes):
    report = store_file(seed_bytes["001_46ac5d44bafe418d.txt"], "001.txt", publish=True).report
    apply_pending()
    district = report.place
    city = district.parent
    old_name = district.full_name
    assert city is not None and old_name.startswith(city.full_name)
    found = count(f"发展 地区:{old_name}")
    assert found > 0
    before = data_version()

    district.full_name, district.name = old_name + "新区", district.name + "新区"
    district.save()
    assert IndexChange.objects.filter(report=report, applied_at__isnull=True).exists()
    apply_pending()
    assert count(f"发展 地区:{old_name}新区") == found
    assert count(f"发展 地区:{old_name}") == 0
    assert data_version() != before

    # The city's new name is in the district's report too (a filter names a place or any
    # place above it).
    city.full_name, city.name = "某直辖市", "某直辖市"
    city.save()
    apply_pending()
    assert count("发展 地区:某直辖市") == found


def test_a_new_place_queues_nothing():
    Place.objects.create(name="新区", full_name="某省新区", level="county", slug="xinqu")
    assert not IndexChange.objects.exists()

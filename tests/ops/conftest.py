"""Shared set-up of the operations tests: a private cache per test (rate-limit counters and
cached searches never leak between tests), Hypothesis profiles, and a small Whoosh index."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# "ci" keeps the in-suite fuzzing under a minute on both databases; "long" is for manual runs
# and `make bench` (HYPOTHESIS_PROFILE=long): about ten times the cases.
# In `make test` the cases are derived from each test's name (derandomize): the same cases in
# every run, so a run passes or fails for the code, not for the draw, and no example database
# left in a checkout changes what runs. The long profile draws afresh each time, to find more.
_COMMON = dict(
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
hypothesis_settings.register_profile(
    "ci", max_examples=300, derandomize=True, database=None, **_COMMON
)
hypothesis_settings.register_profile("long", max_examples=3000, derandomize=False, **_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def private_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ops-tests",
        }
    }
    settings.RATELIMIT_ENABLE = False
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def whoosh_index(tmp_path, settings):
    """A small live index at a private path, with one committed document."""
    from whoosh import fields, index

    path = tmp_path / "index"
    path.mkdir()
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), text=fields.TEXT)
    ix = index.create_in(str(path), schema)
    with ix.writer() as w:
        w.add_document(id="a", text="hello")
    ix.close()
    from search.recall import RecallIndex

    recall = RecallIndex(path)
    recall.create()
    recall.begin()
    recall.add(1, 1, "hello")
    recall.commit()
    recall.close()
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}
    }
    return path

"""Search test set-up: a fresh index folder per module, the five seeds stored and indexed
once per module through the real ingest pipeline (archive.services.store_file)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import SEEDS_DIR, restore_index_settings, use_index_dir


@pytest.fixture
def fresh_index(tmp_path):
    """A new, empty index folder for one test."""
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(tmp_path / "whoosh_index")
    yield tmp_path / "whoosh_index"
    restore_index_settings(old)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The five seeds, published and indexed; the database is emptied after the module."""
    from archive.services import store_file
    from search.indexing import apply_pending

    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    folder = Path(tempfile.mkdtemp(prefix="search-tests-"))
    use_index_dir(folder / "whoosh_index")
    with django_db_blocker.unblock():
        outcomes = {
            p.name: store_file(p.read_bytes(), p.name, publish=True)
            for p in sorted(SEEDS_DIR.glob("*.txt"))
        }
        apply_pending()
        try:
            yield {name: o.report for name, o in outcomes.items()}
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)

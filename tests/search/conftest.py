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


CORPUS_DIR = SEEDS_DIR.parent / "corpus"


@pytest.fixture(scope="session")
def real_archive_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The shipped corpus and the seeds, imported once per test run exactly as `make seed`
    imports them (import_reports: the real pipeline, store, publish, index), into the test
    database and a throwaway index. The database rows are then dumped and the database
    emptied, so tests that expect an empty archive are not disturbed; `real_archive` loads
    the dump (seconds) instead of importing again (the pipeline is most of the cost)."""
    from search.indexing import index_path

    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    folder = tmp_path_factory.mktemp("real-archive")
    use_index_dir(folder / "whoosh_index")
    dump = folder / "archive.json"
    try:
        with django_db_blocker.unblock():
            call_command("import_reports", str(CORPUS_DIR), str(SEEDS_DIR), verbosity=0)
            call_command(
                "dumpdata",
                "archive",
                "search",
                output=str(dump),
                verbosity=0,
            )
            auto_now = _auto_now_values()
            call_command("flush", interactive=False, verbosity=0)
        live = index_path()
    finally:
        restore_index_settings(old)
    return {"dump": dump, "index": live, "auto_now": auto_now}


@pytest.fixture(scope="module")
def real_archive(real_archive_snapshot, django_db_blocker):
    """The real archive (corpus and seeds, published and indexed) for one test module;
    the database is emptied again after the module. Tests must not write to it."""
    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(real_archive_snapshot["index"])
    with django_db_blocker.unblock():
        call_command("loaddata", str(real_archive_snapshot["dump"]), verbosity=0)
        _restore_auto_now(real_archive_snapshot["auto_now"])
        try:
            yield real_archive_snapshot
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)


def _auto_now_values() -> dict:
    """{model: {pk: {field: value}}} of every auto_now field, exactly (the JSON dump keeps
    milliseconds only)."""
    from django.apps import apps

    out: dict = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        if names:
            out[model] = {row["pk"]: row for row in model._default_manager.values("pk", *names)}
    return out


def _restore_auto_now(values: dict) -> None:
    """loaddata saves each row, so auto_now fields get the time of loading, and the index
    records each report's updated_at (the drift check compares them): put the imported
    values back with update(), which leaves auto_now alone."""
    for model, rows in values.items():
        for pk, row in rows.items():
            model._default_manager.filter(pk=pk).update(
                **{k: v for k, v in row.items() if k != "pk"}
            )

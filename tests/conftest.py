"""Shared test set-up: a throwaway folder for originals and the index, fast passwords, and
plain static files (no collectstatic manifest needed)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SEEDS_DIR = PROJECT_ROOT / "fixtures" / "seeds"
_TMP = Path(tempfile.mkdtemp(prefix="archive-tests-"))


def pytest_configure(config):
    from django.conf import settings

    settings.MEDIA_ROOT = _TMP / "media"
    settings.WHOOSH_INDEX_DIR = _TMP / "whoosh_index"
    settings.ARCHIVE_REGISTRY_DIR = _TMP / "registry"
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(_TMP / "whoosh_index")}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No background worker runs beside the test client or the live server: uploads are
    # parsed in the request by the worker's own code (archive.uploads.process_batch_now).
    # tests/archive/test_upload_jobs.py and tests/integration run the real worker.
    settings.ARCHIVE_UPLOAD_INLINE = True
    # No rate-limit counters or cached searches shared between tests or with var/cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.RATELIMIT_ENABLE = False
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # A test database on disk, not in memory: threads (live server, concurrent uploads)
        # then lock and wait as they do in production instead of failing at once.
        db.setdefault("TEST", {})["NAME"] = str(_TMP / "test_archive.sqlite3")
    # Serve static files from the app folders, as collectstatic would, without running it.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STATIC_ROOT = _TMP / "static"
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_unconfigure(config):
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    # built registries are named by data version; a rolled-back test database can repeat one
    shutil.rmtree(settings.ARCHIVE_REGISTRY_DIR, ignore_errors=True)


@pytest.fixture
def seed_bytes():
    """name -> bytes of the five seed documents shipped in fixtures/."""
    return {p.name: p.read_bytes() for p in sorted(SEEDS_DIR.glob("*.txt"))}


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)


@pytest.fixture
def staff_client(staff_user):
    """A client of its own, logged in as an editor: pytest-django's `client` stays an
    anonymous reader in the same test (logging `client` in made every "reader" request of a
    test that also edits a staff request)."""
    from django.test import Client

    editor = Client()
    editor.force_login(staff_user)
    return editor


def use_index_dir(path: Path) -> None:
    """Point the search index (and every cached searcher) at `path`."""
    from django.conf import settings
    from haystack import connections

    from search import whoosh_engine

    settings.WHOOSH_INDEX_DIR = path
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}
    }
    # haystack copied the connection settings when it was imported, and its backend keeps the
    # path it was created with: hand it the new settings and a new backend.
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    whoosh_engine.holder.reset()


@pytest.fixture(autouse=True)
def _own_search_index(request, tmp_path_factory):
    """Each database test gets an empty index of its own: the database is rolled back after a
    test, and an index left behind would hold entries for reports that no longer exist.
    Tests that share a prepared index (`seeded`, `fresh_index`, `real_archive`) keep theirs."""
    uses_db = any(m.name == "django_db" for m in request.node.iter_markers())
    if not uses_db or {"seeded", "fresh_index", "real_archive"} & set(request.fixturenames):
        yield
        return
    from django.conf import settings

    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    use_index_dir(tmp_path_factory.mktemp("index") / "whoosh_index")
    yield
    restore_index_settings(old)


def restore_index_settings(old: tuple) -> None:
    from django.conf import settings

    settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR = old
    use_index_dir(settings.WHOOSH_INDEX_DIR)


def pytest_collection_modifyitems(config, items):
    """Tests marked `opensearch` need the live node that scripts/with-opensearch starts (make
    test-opensearch runs them there); a run without one leaves them out, and says so."""
    import os

    if os.environ.get("ARCHIVE_SEARCH_URL"):
        return
    live = [item for item in items if item.get_closest_marker("opensearch")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if not item.get_closest_marker("opensearch")]

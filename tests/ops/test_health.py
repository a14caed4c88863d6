"""/healthz answers 200 when the database and the index work and a clear 503 otherwise."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthy_archive_answers_200_with_index_generation(client, whoosh_index):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["index"]["generation"] >= 1 and body["index"]["documents"] == 1
    assert body["index"]["recall_sections"] == 1
    assert body["queue"]["pending"] == 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_pending_index_changes_are_reported(client, whoosh_index):
    from archive.models import Report
    from search.models import IndexChange

    report = Report.objects.create(title="t")
    IndexChange.objects.create(report=report)
    body = client.get("/healthz").json()
    assert body["queue"]["pending"] == 1
    assert body["queue"]["oldest_pending_seconds"] is not None


def test_a_corrupted_index_answers_503_with_a_clear_message(client, whoosh_index):
    for toc in whoosh_index.glob("*.toc"):
        toc.write_bytes(b"this is not a whoosh table of contents")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"]["ok"] is True
    assert "index unreadable" in body["errors"][0]


def test_a_missing_index_answers_503(client, whoosh_index, settings, tmp_path):
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(tmp_path / "gone")}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "index folder missing" in response.json()["errors"][0]


def test_an_index_folder_replaced_by_a_file_answers_503(client, whoosh_index, settings, tmp_path):
    # Root ignores file modes, so "unreadable" is made the way root cannot read through either.
    bogus = tmp_path / "not-a-folder"
    bogus.write_text("x")
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(bogus)}
    }
    assert client.get("/healthz").status_code == 503


def test_a_database_outage_answers_503(client, whoosh_index, monkeypatch):
    from config import health

    class BrokenConnection:
        vendor = "broken"

        def cursor(self):
            raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert "database unavailable" in body["errors"][0]
    assert body["index"]["ok"] is True


def test_a_lost_segment_file_answers_503(client, whoosh_index):
    for seg in whoosh_index.glob("*.seg"):
        seg.unlink()
    for other in whoosh_index.glob("MAIN_*"):
        if not other.name.endswith("WRITELOCK"):
            other.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "segment files missing" in response.json()["errors"][0]


def test_a_missing_or_corrupted_recall_index_answers_503(client, whoosh_index):
    recall = whoosh_index / "recall.sqlite3"
    recall.write_bytes(b"not a database at all" * 100)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "index unreadable" in response.json()["errors"][0]
    recall.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "recall index missing" in response.json()["errors"][0]


def test_health_does_not_show_the_server_s_folders(client, db):
    body = client.get("/healthz").content.decode()
    from django.conf import settings

    assert str(settings.VAR_DIR) not in body and "/whoosh_index" not in body


def test_a_change_pending_past_the_bound_answers_503_naming_the_cause(
    client, whoosh_index, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from archive.models import Report
    from search.models import IndexChange

    settings.SEARCH_STALENESS_BOUND_SECONDS = 10
    report = Report.objects.create(title="t")
    change = IndexChange.objects.create(
        report=report, created_at=timezone.now() - timedelta(seconds=5)
    )
    assert client.get("/healthz").status_code == 200  # within the bound
    IndexChange.objects.filter(pk=change.pk).update(
        created_at=timezone.now() - timedelta(seconds=40)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["queue"]["ok"] is False and body["queue"]["oldest_pending_seconds"] >= 40
    assert "no writer has applied it" in body["errors"][0]
    IndexChange.objects.filter(pk=change.pk).update(
        attempts=3,
        last_attempt_at=timezone.now(),
        last_error="PermissionError: Permission denied: _MAIN_1.toc",
    )
    body = client.get("/healthz").json()
    assert "3 attempts" in body["errors"][0] and "Permission denied" in body["errors"][0]

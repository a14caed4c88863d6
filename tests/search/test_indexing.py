"""The single index writer: uploads searchable at once, atomic rebuilds, drift check/repair,
the lock."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.models import Report, ReportStatus
from archive.services import store_file
from search import whoosh_engine
from search.indexing import (
    IndexBusy,
    apply_pending,
    apply_pending_quietly,
    drift,
    enqueue_report,
    index_lock,
    index_path,
    open_index,
)
from search.models import IndexChange

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
HEXI = "001_46ac5d44bafe418d.txt"  # 天津市河西区 2016
NANKAI = "004_9a7de8e018f5043e.txt"  # 天津市南开区 2018

pytestmark = pytest.mark.django_db(transaction=True)


def store(name: str, publish: bool = True) -> Report:
    return store_file((SEEDS / name).read_bytes(), name, publish=publish).report


def api(client, **params) -> dict:
    r = client.get("/api/search", params)
    assert r.status_code == 200, r.content
    return r.json()


def test_upload_is_searchable_in_the_next_request(fresh_index, client):
    assert api(client, q="营商环境")["count"] == 0  # opens the (empty) index in this worker
    store(NANKAI)  # commits; the queue is applied on commit, no command needed
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()
    data = api(client, q="营商环境")
    assert data["count"] == 1 and data["results"][0]["place"] == "天津市南开区"


def test_a_draft_is_not_searchable_until_published(fresh_index, client):
    report = store(HEXI, publish=False)
    assert api(client, q="棚户区改造")["count"] == 0
    from archive.services import publish_report

    publish_report(report)
    assert api(client, q="棚户区改造", place="河西区")["count"] >= 1


def test_withdrawn_and_corrected_reports_follow(fresh_index, client):
    report = store(HEXI)
    assert api(client, q="棚户区改造", year=2016)["count"] >= 1
    from archive.services import correct_metadata

    correct_metadata(report, year=2015)
    assert api(client, q="棚户区改造", year=2016)["count"] == 0
    assert api(client, q="棚户区改造", year=2015)["count"] >= 1
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.WITHDRAWN)
    enqueue_report(report)
    apply_pending()
    assert api(client, q="棚户区改造")["count"] == 0


def test_rebuild_swaps_in_a_new_index_atomically(fresh_index, client):
    store(HEXI)
    store(NANKAI)
    before = api(client, q="京津冀协同发展")
    old_target = os.path.realpath(index_path())
    call_command("rebuild_search_index", verbosity=0)
    new_target = os.path.realpath(index_path())
    assert new_target != old_target and Path(index_path()).is_symlink()
    assert Path(old_target).exists()  # kept for searchers still reading it
    assert api(client, q="京津冀协同发展") == before
    call_command("rebuild_search_index", verbosity=0)
    assert not Path(old_target).exists()  # only the previous generation is kept
    assert api(client, q="京津冀协同发展") == before


def test_a_live_index_taken_away_is_an_error_until_it_is_back_or_rebuilt(fresh_index, client):
    """Not an empty index in its place: that would answer every search with nothing."""
    store(HEXI)
    before = api(client, q="京津冀协同发展")
    assert before["count"] > 0
    link = index_path()
    aside = link.with_name(link.name + ".aside")
    os.replace(link, aside)
    whoosh_engine.holder.reset()
    for params in ({"q": "京津冀"}, {"q": "发展"}):
        response = client.get("/api/search", params)
        assert response.status_code == 503, response.content
        assert "搜索索引暂时不可用" in response.json()["error"]
    assert client.get("/healthz").status_code == 503
    store(NANKAI)  # a publish meanwhile stays queued: the writer does not make an empty index
    assert not link.exists() and not link.is_symlink()
    assert IndexChange.objects.filter(applied_at__isnull=True).exists()
    os.replace(aside, link)  # put back: serving again, and the queue applies
    assert api(client, q="京津冀协同发展") == before
    apply_pending()
    assert api(client, q="发展", place="南开区")["count"] > 0
    os.replace(link, aside)  # taken away again: a rebuild brings everything back
    call_command("rebuild_search_index", verbosity=0)
    assert api(client, q="京津冀协同发展")["count"] == before["count"] + 1
    assert client.get("/healthz").status_code == 200


def test_check_finds_and_repairs_drift(fresh_index, client, capsys):
    hexi, nankai = store(HEXI), store(NANKAI)
    assert drift()["missing"] == drift()["stale"] == drift()["orphaned"] == []
    call_command("check_search_index")
    # Drift behind the queue's back: entries lost, a report unpublished, metadata changed.
    ix = open_index()
    with ix.writer() as w:
        w.delete_by_term("report", str(hexi.pk))
    Report.objects.filter(pk=nankai.pk).update(status=ReportStatus.DRAFT)
    found = drift()
    assert found["missing"] and found["orphaned"]
    with pytest.raises(SystemExit):
        call_command("check_search_index")
    call_command("check_search_index", "--repair")
    found = drift()
    assert found["missing"] == found["stale"] == found["orphaned"] == []
    assert api(client, q="棚户区改造", place="河西区")["count"] >= 1
    assert api(client, q="营商环境")["count"] == 0  # the unpublished one is gone
    Report.objects.filter(pk=hexi.pk).update(year=2017, updated_at=timezone.now())
    assert drift()["stale"]
    call_command("check_search_index", "--repair")
    assert api(client, q="棚户区改造", year=2017)["count"] >= 1


def test_a_busy_index_leaves_changes_queued(fresh_index, client, settings):
    settings.SEARCH_APPLY_TIMEOUT = 0.2
    report = store(HEXI)
    held, release = threading.Event(), threading.Event()

    def hold():
        with index_lock(timeout=5):
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    try:
        enqueue_report(report, apply=False)
        with pytest.raises(IndexBusy):
            apply_pending(timeout=0.2)
        apply_pending_quietly()  # logged, not raised (what a web request does)
        assert IndexChange.objects.filter(applied_at__isnull=True).exists()
    finally:
        release.set()
        t.join()
    call_command("apply_index_queue", verbosity=0)
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()


def test_a_publish_applies_its_own_change_and_leaves_a_backlog_to_the_worker(fresh_index, client):
    """A web request that publishes one report writes that report's index entries, not a
    backlog of other reports' changes (that is apply_index_queue's work)."""
    hexi = store(HEXI)
    enqueue_report(hexi, apply=False)  # a backlog: hexi's change, left for the worker
    backlog = IndexChange.objects.get(report=hexi, applied_at__isnull=True)
    nankai = store(NANKAI)  # publish -> after commit, nankai's own change is applied
    assert not IndexChange.objects.filter(report=nankai, applied_at__isnull=True).exists()
    assert api(client, q="发展", place="南开区")["count"] > 0  # searchable in the next request
    backlog.refresh_from_db()
    assert backlog.applied_at is None
    call_command("apply_index_queue", verbosity=0)
    backlog.refresh_from_db()
    assert backlog.applied_at is not None


def test_searchers_refresh_after_a_commit_without_reopening(fresh_index, client):
    store(HEXI)
    api(client, q="发展")
    first_index = whoosh_engine.holder.index
    store(NANKAI)
    assert "天津市南开区" in api(client, q="发展")["facets"]["place"]
    assert whoosh_engine.holder.index is first_index  # refreshed, not reopened


def test_deferred_apply_commits_once_at_the_end(fresh_index, client):
    from search.indexing import deferred_apply

    with deferred_apply():
        store(HEXI)
        store(NANKAI)
        assert IndexChange.objects.filter(applied_at__isnull=True).count() >= 2
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()
    assert set(api(client, q="京津冀协同发展")["facets"]["place"]) == {
        "天津市河西区",
        "天津市南开区",
    }


def test_incremental_commits_never_remove_a_segment(fresh_index, client):
    """Readers open segment files lazily: a publish must not merge segments away under them
    (nor, through Whoosh's MERGE_SMALL, rewrite a rebuild's big segments)."""
    store(HEXI)
    call_command("rebuild_search_index", verbosity=0)
    seen: list[set[str]] = []
    names = [NANKAI, "002_e1615011aa9b1423.txt", "000_9a318e5cd3625d9e.txt"] + [None] * 6
    for name in names:  # enough small segments for Whoosh's MERGE_SMALL to merge some
        if name:
            store(name)
        enqueue_report(Report.objects.order_by("pk").first())  # a change to an old report
        apply_pending()
        with open_index().searcher() as s:
            seen.append({r.segment().segment_id() for r, _ in s.reader().leaf_readers()})
    for before, after in zip(seen, seen[1:], strict=False):
        assert before <= after  # every segment a reader may hold is still there
    assert len(seen[-1]) > len(seen[0])


def _as_format_0(recall_file: Path) -> None:
    """Rewrite a recall index as the format before it kept the text (compressed tokens)."""
    import sqlite3
    import zlib

    from search.recall import char_tokens

    conn = sqlite3.connect(recall_file, isolation_level=None)
    rows = conn.execute("SELECT section, report, norm FROM units").fetchall()
    conn.executescript(
        "DROP TABLE units; CREATE TABLE units (section INTEGER PRIMARY KEY, "
        "report INTEGER NOT NULL, tokens BLOB NOT NULL); "
        "CREATE INDEX units_report ON units(report); PRAGMA user_version = 0;"
    )
    for section, report, norm in rows:
        tokens = char_tokens(norm.decode("utf-8", "surrogatepass")).encode("ascii")
        conn.execute("INSERT INTO units VALUES (?, ?, ?)", (section, report, zlib.compress(tokens)))
    conn.close()


def test_an_old_recall_index_is_read_and_written_until_a_rebuild_renews_it(
    fresh_index, client, settings
):
    from search.recall import FILENAME, FORMAT, RecallIndex

    settings.ARCHIVE_SEARCH_CACHE_SECONDS = 0  # every trend below is counted again
    store(HEXI)
    trend = client.get("/search/trend/", {"q": "发展 改革", "format": "csv"}).content
    whoosh_engine.holder.reset()
    _as_format_0(Path(os.path.realpath(index_path())) / FILENAME)
    assert RecallIndex(os.path.realpath(index_path())).stored_format == 0
    assert client.get("/search/trend/", {"q": "发展 改革", "format": "csv"}).content == trend
    store(NANKAI)  # written in the old format, and found
    assert api(client, q="营商环境", place="南开区")["count"] == 1
    assert RecallIndex(os.path.realpath(index_path())).stored_format == 0
    old_counts = client.get("/search/trend/", {"q": "发展 改革", "format": "csv"}).content
    call_command("rebuild_search_index", verbosity=0)
    assert RecallIndex(os.path.realpath(index_path())).stored_format == FORMAT
    assert client.get("/search/trend/", {"q": "发展 改革", "format": "csv"}).content == old_counts

"""The index folder's listing is kept while the folder is unchanged: per-request index checks
stop listing thousands of retained names, and still see every commit at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from archive.services import store_file
from search import index_folder
from search.cache import index_path, whoosh_index_version
from search.index_folder import listing, open_folder_index
from search.indexing import reindex_reports
from search.whoosh_engine import get_searcher, holder

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


@pytest.fixture(autouse=True)
def forget_listings():
    index_folder.forget()
    yield
    index_folder.forget()


@pytest.fixture
def listdir_calls(monkeypatch):
    calls = []
    real = os.listdir

    def counting(path="."):
        calls.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(index_folder.os, "listdir", counting)
    return calls


def settle(folder: Path, seconds: float = 10.0) -> None:
    """As if the folder's last change was `seconds` ago."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(folder, ns=(then, then))


def test_a_settled_folder_is_listed_once_and_every_change_is_seen(tmp_path, listdir_calls):
    (tmp_path / "a").write_text("")
    settle(tmp_path)
    assert listing(tmp_path).names == ("a",)
    assert listing(tmp_path).names == ("a",)
    assert len(listdir_calls) == 1
    for change in (
        lambda: (tmp_path / "b").write_text(""),
        lambda: os.rename(tmp_path / "b", tmp_path / "c"),
        lambda: os.unlink(tmp_path / "a"),
    ):
        change()
        assert set(listing(tmp_path).names) == set(os.listdir(tmp_path))
        settle(tmp_path)
        assert set(listing(tmp_path).names) == set(os.listdir(tmp_path))


def clock_at(monkeypatch, ns: int) -> None:
    monkeypatch.setattr(index_folder.time, "time_ns", lambda: ns)


def test_a_folder_changed_a_moment_ago_is_listed_every_time(tmp_path, listdir_calls, monkeypatch):
    # The file system stamps with a coarse clock: a second change within the same tick can
    # leave the folder's mtime as it was. Played here by putting the old stamp back.
    (tmp_path / "a").write_text("")
    stamp = os.stat(tmp_path).st_mtime_ns
    clock_at(monkeypatch, stamp + 50_000_000)  # listed 50 ms after the change
    assert listing(tmp_path).names == ("a",)
    (tmp_path / "b").write_text("")
    os.utime(tmp_path, ns=(stamp, stamp))
    assert set(listing(tmp_path).names) == {"a", "b"}
    assert len(listdir_calls) == 2


def test_a_folder_replaced_under_the_same_path_is_listed_anew(tmp_path):
    folder = tmp_path / "gen"
    folder.mkdir()
    (folder / "old").write_text("")
    settle(folder)
    assert listing(folder).names == ("old",)
    stamp = os.stat(folder).st_mtime_ns
    os.rename(folder, tmp_path / "gone")
    folder.mkdir()
    (folder / "new").write_text("")
    os.utime(folder, ns=(stamp, stamp))  # even with the very same mtime: another inode
    assert listing(folder).names == ("new",)


def test_the_newest_generation_equals_whooshs_own_after_every_commit(tmp_path):
    schema = Schema(id=ID(stored=True, unique=True))
    FileStorage(str(tmp_path)).create_index(schema)
    ix = open_folder_index(tmp_path)
    w = ix.writer()
    w.update_document(id="0")
    w.commit()
    searcher = ix.searcher()
    for n in range(1, 13):
        if n % 3 == 0:
            settle(tmp_path)
            assert searcher.up_to_date()
        w = ix.writer()
        w.update_document(id=str(n % 4))
        w.commit()
        assert ix.latest_generation() == TOC._latest_generation(FileStorage(str(tmp_path)), "MAIN")
        assert not searcher.up_to_date()
        searcher = searcher.refresh()
        assert searcher.up_to_date()
        assert searcher.doc_count() == min(n + 1, 4)


@pytest.mark.django_db(transaction=True)
def test_with_thousands_of_retained_files_a_request_lists_nothing_and_a_publish_shows_at_once(
    fresh_index, settings, listdir_calls
):
    settings.SEARCH_APPLY_ON_COMMIT = False
    ids = [
        store_file(p.read_bytes(), p.name, publish=True).report.pk
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    reindex_reports(ids)
    folder = index_path().resolve()
    for n in range(3000):  # what 500 publishes leave for the retention time, named alike
        (folder / f"MAIN_retired{n:05d}.col").write_bytes(b"")
    holder.reset()
    get_searcher()
    settle(folder)  # after the worker's first query has opened what it opens
    before = whoosh_index_version()
    searcher = get_searcher()
    listdir_calls.clear()
    for _ in range(20):
        assert whoosh_index_version() == before
        assert get_searcher() is searcher
    assert listdir_calls == []

    reindex_reports(ids[:1])  # a publish: a new table of contents
    assert whoosh_index_version() != before
    assert get_searcher() is not searcher
    assert get_searcher().up_to_date()


def test_a_stamp_on_a_whole_second_waits_as_long_as_file_systems_without_fractions_need(
    tmp_path, listdir_calls, monkeypatch
):
    (tmp_path / "a").write_text("")
    whole = (time.time_ns() // 1_000_000_000) * 1_000_000_000  # no fraction of a second
    os.utime(tmp_path, ns=(whole, whole))
    clock_at(monkeypatch, whole + 1_500_000_000)
    assert listing(tmp_path).names == ("a",)
    (tmp_path / "b").write_text("")  # within the same second on such a file system
    os.utime(tmp_path, ns=(whole, whole))
    assert set(listing(tmp_path).names) == {"a", "b"}


def test_with_the_keeping_switched_off_every_check_lists_the_folder(
    tmp_path, listdir_calls, settings
):
    settings.SEARCH_KEEP_FOLDER_LISTING = False
    (tmp_path / "a").write_text("")
    settle(tmp_path)
    for _ in range(3):
        assert listing(tmp_path).names == ("a",)
    assert len(listdir_calls) == 3

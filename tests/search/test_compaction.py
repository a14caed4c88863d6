"""Background compaction: after many publishes the writer keeps the segment count bounded,
searches answer the same before, during and after, files a reader may still open outlive the
merge, and the index never drifts from the database."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from whoosh.query import Term

from archive.services import store_file
from search import compaction, indexing
from search.cache import cached_search, index_path, newest_toc_identity
from search.engines import get_engine
from search.indexing import Writer, drift, enqueue_report, open_index, reindex_reports
from search.query import parse_query
from search.results import UNKNOWN_PLACE
from search.whoosh_engine import holder

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
QUERIES = ["经济", "就业", '"新增就业"', "营商环境 OR 改革", "教育 -天津", "6.5%"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_tiers(settings):
    # Tiers of 1-2, 3-8, 9-26 ... documents: a few dozen publishes of the seeds cross them.
    settings.SEARCH_COMPACT_FAN_IN = 3
    settings.SEARCH_COMPACT_MAX_DOCS = 2000
    settings.SEARCH_APPLY_ON_COMMIT = False


def publish_seeds() -> list[int]:
    ids = [
        store_file(p.read_bytes(), p.name, publish=True).report.pk
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    return ids


def many_publishes(ids: list[int], rounds: int) -> None:
    """One commit per report and round, as publishes do (a report's sections replaced)."""
    for _ in range(rounds):
        for rid in ids:
            reindex_reports([rid])


def answers(*, reset: bool = True) -> dict[str, tuple]:
    """What a reader sees of each query: the count, the facets, the grid, and every hit's
    section with its snippet and offsets. The hits as a set: scores count deleted documents
    until their segment is merged (Whoosh's statistics), so the order of near ties may move
    when compaction purges them, as it does after a rebuild."""
    if reset:
        holder.reset()
    out = {}
    for q in QUERIES:
        o = get_engine().run(parse_query(q), per_page=50)
        out[q] = (
            o.count,
            o.facets_place,
            o.facets_year,
            {k: c.count for k, c in o.grid.items()},
            sorted((h.fields["section"], repr(h.snippet), h.matches) for h in o.hits),
        )
    return out


def drift_is_clean() -> bool:
    d = drift()
    lists = ("missing", "stale", "metadata", "orphaned", "reports", "orphan_reports")
    return d["texts"] == d["texts_searchable"] > 0 and not any(d[k] for k in lists)


def compact_fully(**kw) -> int:
    steps = 0
    while compaction.compact_step(**kw):
        steps += 1
        assert steps < 100, "compaction does not converge"
    return steps


def test_after_many_publishes_the_segment_count_is_bounded_and_answers_do_not_change(
    fresh_index, small_tiers
):
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=8)
    before = compaction.segment_count()
    assert before >= 40  # one segment per commit: what compaction is for
    expected = answers()
    documents = open_index().doc_count()

    assert compact_fully() > 0
    after = compaction.segment_count()
    # At most FAN_IN - 1 segments per tier below MAX_DOCS (a handful of tiers here).
    assert after <= 2 * 4, (before, after)
    assert open_index().doc_count() == documents
    assert answers() == expected
    assert drift_is_clean(), drift()

    # More publishes after compaction are merged in turn.
    many_publishes(ids, rounds=4)
    assert compaction.segment_count() > 8
    compact_fully()
    assert compaction.segment_count() <= 8
    assert answers() == expected
    assert drift_is_clean()


def test_searches_during_compaction_keep_answering_correctly(fresh_index, small_tiers):
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=6)
    expected = answers()
    results, errors = [], []
    done = threading.Event()

    def reader():
        from django.db import connection

        try:
            while not done.is_set() or not results:
                results.append(answers(reset=False))
        except Exception as exc:  # reported below, with the traceback in the log
            errors.append(exc)
        finally:
            connection.close()

    holder.reset()
    t = threading.Thread(target=reader)
    t.start()
    try:
        compact_fully()
    finally:
        done.set()
        t.join(120)
    assert not errors, errors
    assert results and all(r == expected for r in results)
    assert answers() == expected


def test_a_searcher_opened_before_a_merge_still_reads_the_merged_segments_files(
    fresh_index, small_tiers, settings
):
    """Readers open a segment's files lazily: the files of merged-away segments stay until
    the retention time has passed, then the next step deletes them."""
    settings.SEARCH_SEGMENT_RETAIN_SECONDS = 300
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=3)
    ix = open_index()
    old = ix.searcher()  # the table of contents of now; no field read yet
    folder = Path(ix.storage.folder)
    old_segments = {s.segment_id() for s in ix._segments()}
    clock = SimpleNamespace(t=1_000_000.0)
    assert compaction.compact_whoosh(now=lambda: clock.t) > 0
    merged_away = old_segments - {s.segment_id() for s in open_index()._segments()}
    assert merged_away
    kept = [n for n in folder.iterdir() if n.name.split(".")[0] in merged_away]
    assert kept and all(n.exists() for n in kept)
    # The old searcher reads postings and stored fields of segments merged away.
    words = list(itertools.islice(old.reader().lexicon("text"), 50))
    assert words and all(old.doc_frequency("text", w) >= 1 for w in words)
    hits = old.search(Term("text", words[0]), limit=None)
    assert len(hits) >= 1 and all(h["report"] for h in hits)
    old.close()

    clock.t += 299
    compaction.compact_whoosh(now=lambda: clock.t)
    assert all(n.exists() for n in kept)
    clock.t += 2
    while compaction.compact_whoosh(now=lambda: clock.t):
        pass
    assert not any(n.exists() for n in kept)
    assert not (folder / compaction.RETIRED_FILE).exists() or all(
        name.split(".")[0] not in merged_away for name in compaction._read_retired(folder)
    )
    assert drift_is_clean()


def test_a_publish_while_a_merge_is_written_is_not_undone_by_it(
    fresh_index, small_tiers, monkeypatch
):
    """The merged segment is written outside the lock; a report published meanwhile has its
    old documents deleted in the segments being merged, and the merge must delete them too
    (else the old version would be found again, twice)."""
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=3)
    expected = answers()
    documents = open_index().doc_count()
    written = compaction.MergeWriter.finish_segment
    published = []

    def publish_meanwhile(self):
        seg = written(self)
        for rid in ids:
            reindex_reports([rid])
            published.append(rid)
        return seg

    monkeypatch.setattr(compaction.MergeWriter, "finish_segment", publish_meanwhile)
    assert compaction.compact_whoosh() > 0
    assert published
    monkeypatch.setattr(compaction.MergeWriter, "finish_segment", written)
    # Searches map a section to one document, so a resurrected old copy hides from them:
    # count the live documents themselves.
    assert open_index().doc_count() == documents
    assert drift_is_clean(), drift()
    assert answers() == expected
    compact_fully()
    assert open_index().doc_count() == documents
    assert drift_is_clean() and answers() == expected


def test_a_compaction_keeps_cached_results_and_validators_and_a_publish_drops_them(
    fresh_index, small_tiers, client
):
    """Compaction writes a new table of contents holding the same documents: the results
    cache and the search pages' ETags must survive it (the writer compacts whenever it is
    idle), while a publish's commit must still make every cached answer unreachable."""
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=3)
    computed = []

    def cached() -> int:
        return cached_search("page", {"q": "经济"}, lambda: computed.append(1) or len(computed))

    def etag() -> str:
        response = client.get("/", {"q": "经济"})
        assert response.status_code == 200
        return response["ETag"]

    first, first_etag = cached(), etag()
    toc = newest_toc_identity(Path(index_path()).resolve())
    assert compact_fully() > 0
    assert newest_toc_identity(Path(index_path()).resolve()) != toc  # compaction committed
    assert cached() == first and computed == [1]
    assert etag() == first_etag

    reindex_reports([ids[0]])  # what a publish's write commits
    assert cached() == 2
    assert etag() != first_etag
    # And compaction after that publish keeps the new answer, not the old one.
    many_publishes(ids, rounds=3)
    after_publishes, after_etag = cached(), etag()
    assert after_publishes == 3
    assert compact_fully() > 0
    assert cached() == after_publishes and etag() == after_etag


def test_the_writer_compacts_when_its_queue_is_empty(fresh_index, small_tiers):
    ids = publish_seeds()
    writer = Writer(poll=0.5, lock_wait=1.0, report=lambda line: None)
    writer.run_once()
    for _ in range(4):
        for rid in ids:
            enqueue_report(indexing_report(rid), apply=False)
        writer.run_once()  # applies the queue: one segment
    for rid in ids:  # and publishes by web requests: one segment each
        reindex_reports([rid])
    before = compaction.segment_count()
    for _ in range(30):
        writer.run_once()  # queue empty: one compaction step each, in a thread of its own
        writer.wait_for_compaction()
    assert compaction.segment_count() < before and writer.compacted
    assert compaction.segment_count() <= 8
    assert drift_is_clean()


def small_segments() -> int:
    return sum(1 for s in open_index()._segments() if s.doc_count_all() < compaction.max_docs())


def test_once_the_index_is_quiet_the_small_segments_the_tiers_leave_are_merged_into_one(
    fresh_index, small_tiers, settings
):
    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=5)
    expected = answers()
    documents = open_index().doc_count()
    settings.SEARCH_COMPACT_SWEEP_IDLE_SECONDS = 3600  # never quiet long enough: tiers only
    compact_fully()
    left = small_segments()
    assert left >= 2, left  # what the tiers leave: up to FAN_IN - 1 per tier

    settings.SEARCH_COMPACT_SWEEP_IDLE_SECONDS = 0  # quiet now
    assert compact_fully() >= 1
    assert small_segments() <= 2
    assert open_index().doc_count() == documents
    assert answers() == expected
    assert drift_is_clean(), drift()
    assert compaction.compact_whoosh() == 0  # nothing more to do
    # A publish more: the new segment joins the smaller one, not the largest.
    sizes = sorted(s.doc_count() for s in open_index()._segments())
    reindex_reports([ids[0]])
    compact_fully()
    assert small_segments() <= 2
    assert sorted(s.doc_count() for s in open_index()._segments())[-1] == sizes[-1]
    assert answers() == expected and drift_is_clean()


def test_the_sweep_rewrites_at_most_twice_max_docs_documents(settings):
    settings.SEARCH_COMPACT_MAX_DOCS = 100
    segments = [seg(90), seg(60), seg(40), seg(30), seg(500), seg(20, live=0)]
    chosen = compaction.plan_sweep(segments)
    assert [s.doc_count() for s in chosen] == [30, 40, 60]  # smallest first, 130 <= 200
    assert compaction.plan_sweep([seg(30), seg(500)]) == []  # one small segment: nothing
    # The largest is left out while it outweighs the others together.
    assert [s.doc_count() for s in compaction.plan_sweep([seg(90), seg(5), seg(3)])] == [3, 5]
    assert compaction.plan_sweep([seg(90), seg(8)]) == []
    assert [s.doc_count() for s in compaction.plan_sweep([seg(8), seg(8)])] == [8, 8]


def test_the_idle_writer_sweeps_the_small_segments_into_one(fresh_index, small_tiers, settings):
    settings.SEARCH_COMPACT_SWEEP_IDLE_SECONDS = 0
    ids = publish_seeds()
    writer = Writer(poll=0.5, lock_wait=1.0, report=lambda line: None)
    writer.run_once()
    many_publishes(ids, rounds=5)
    assert small_segments() > 8
    for _ in range(40):
        writer.run_once()  # queue empty: one compaction step each, in a thread of its own
        writer.wait_for_compaction()
        if writer.compacted:
            break
    assert writer.compacted and small_segments() <= 2
    assert drift_is_clean()


def test_the_writers_compaction_thread_yields_the_cores_to_readers(monkeypatch):
    """The merge runs at a lower priority than the thread that started it (the writer's
    main loop keeps its own), so that on a busy machine readers are served first."""
    import os

    seen = {}

    def compact(self, *, timeout=0.0):
        seen["compaction"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return 0

    monkeypatch.setattr(type(get_engine()), "compact", compact)
    writer = Writer(poll=0.5, lock_wait=1.0, report=lambda line: None)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    writer.compact_when_idle()
    writer.wait_for_compaction()
    assert seen["compaction"] >= max(mine, compaction.COMPACTION_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine


def test_the_writer_applies_its_queue_while_a_merge_is_written(
    fresh_index, small_tiers, monkeypatch
):
    from search.models import IndexChange

    ids = publish_seeds()
    indexing.apply_pending()
    many_publishes(ids, rounds=3)
    documents = open_index().doc_count()
    merging, release = threading.Event(), threading.Event()
    written = compaction.MergeWriter.finish_segment

    def held_up(self):
        merging.set()
        assert release.wait(120)
        return written(self)

    monkeypatch.setattr(compaction.MergeWriter, "finish_segment", held_up)
    writer = Writer(poll=0.5, lock_wait=1.0, report=lambda line: None)
    writer.run_once()  # the queue is empty: a compaction step starts
    try:
        assert merging.wait(120)
        enqueue_report(indexing_report(ids[0]), apply=False)
        writer.run_once()  # applied while the merge is still being written
        assert not IndexChange.objects.filter(applied_at__isnull=True).exists()
    finally:
        release.set()
        writer.wait_for_compaction(120)
    assert not writer.compacting.is_alive()
    assert open_index().doc_count() == documents
    assert drift_is_clean()


def indexing_report(pk: int):
    from archive.models import Report

    return Report.objects.get(pk=pk)


_names = itertools.count()


def seg(docs: int, live: int | None = None):
    name = f"s{next(_names)}"
    return SimpleNamespace(
        doc_count_all=lambda: docs,
        doc_count=lambda: docs if live is None else live,
        segment_id=lambda: name,
    )


def test_the_plan_never_takes_a_rebuilds_large_segments_and_merges_one_tier_at_a_time(settings):
    settings.SEARCH_COMPACT_FAN_IN = 8
    settings.SEARCH_COMPACT_MAX_DOCS = 2000
    big = [seg(4000) for _ in range(20)]
    assert compaction.plan_merge(big) == []
    smalls = [seg(8) for _ in range(8)]
    mids = [seg(100) for _ in range(9)]
    plan = compaction.plan_merge(big + mids + smalls)
    assert plan == smalls  # the lowest full tier first, FAN_IN of them
    plan = compaction.plan_merge(big + mids + smalls[:7])
    assert len(plan) == 8 and all(s.doc_count() == 100 for s in plan)
    gone = seg(5, live=0)
    assert compaction.plan_merge(big + [gone]) == [gone]  # all deleted: dropped at once
    # Work per step is bounded: at most 2 x MAX_DOCS documents, yet large tiers still merge.
    plan = compaction.plan_merge(big + [seg(1500) for _ in range(8)])
    assert len(plan) == 2 and sum(s.doc_count() for s in plan) <= 2 * 2000
    # A merge's output of MAX_DOCS or more is large: it stays.
    assert compaction.plan_merge(big + [seg(2500) for _ in range(8)]) == []
    # Unless a third of it or more was deleted (reports published again): rewritten alone.
    worn, more_worn = seg(4000, live=2600), seg(4000, live=2000)
    assert compaction.plan_merge([*big, worn, more_worn]) == [more_worn]
    assert compaction.plan_merge([*big, seg(4000, live=2700)]) == []


def test_a_new_searcher_reads_the_columns_of_new_segments_only(small_tiers, monkeypatch):
    """After a publish (a new segment, deletions in the old ones) a worker reads the columns
    of the new segment only, and the maps it builds are those of the whole index read
    afresh: deleted documents left out, docnums shifted by the segments' offsets."""
    from search import whoosh_engine

    ids = publish_seeds()
    many_publishes(ids, 2)
    holder.reset()
    first = whoosh_engine.get_searcher()
    whoosh_engine.section_docnums(first)
    reads = []
    real = whoosh_engine._read_sections
    monkeypatch.setattr(
        whoosh_engine, "_read_sections", lambda reader: reads.append(reader) or real(reader)
    )
    # one report written anew, another one's entries deleted (as for a withdrawal)
    reindex_reports([ids[0]], orphan_report_ids=[str(ids[1])])
    searcher = whoosh_engine.get_searcher()
    assert searcher is not first and len(searcher.leaf_searchers()) > 2
    sections = whoosh_engine.section_docnums(searcher)
    assert len(reads) == 1  # the segment the publish wrote
    live = set(searcher.reader().all_doc_ids())
    assert live < set(range(searcher.doc_count_all()))  # the old copies are deleted
    stored = dict(searcher.reader().iter_docs())
    assert sections == {int(f["section"]): d for d, f in stored.items()}
    assert whoosh_engine.live_docs(searcher) == live
    whole = searcher.reader()  # the columns read across all segments at once
    assert whoosh_engine.cell_keys(searcher) == whoosh_engine._read_cell_keys(whole)
    assert whoosh_engine.section_lengths(searcher) == whoosh_engine._read_section_lengths(whole)
    keys = whoosh_engine.cell_keys(searcher)
    for d, f in stored.items():
        assert keys[d] == (f.get("place") or UNKNOWN_PLACE, f.get("year") or None)


def test_a_merge_survives_a_publish_removing_whooshs_shared_temporary_folder(small_tiers):
    """Every Whoosh writer keeps temporary files in "MAIN.tmp", and a committing writer
    deletes that folder: a publish committing while a merge is being written must not take
    the merge's files with it."""
    ids = publish_seeds()
    many_publishes(ids, 2)
    ix = open_index()
    writer = compaction.MergeWriter(ix)
    chosen = [s for s in writer.segments if compaction._live_docnums(s)][:3]
    live = {s.segment_id(): compaction._live_docnums(s) for s in chosen}
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()  # what a publish's commit does
    merged = compaction._write_merged(writer, chosen, live)
    assert merged is not None
    assert merged.doc_count_all() == sum(len(docs) for docs in live.values()) > 0

"""Background compaction of the live index: the writer merges small segments itself.

Every publish commits one small Whoosh segment (a report's sections), and a query pays per
segment: after a few dozen publishes list and search latency had risen by half until someone
rebuilt the index by hand. The index writer (`apply_index_queue --loop`) therefore calls
`compact_step()` whenever it finds its queue empty. One step is bounded work:

- Whoosh: segments are grouped in tiers by size (powers of FAN_IN documents); when a tier
  holds FAN_IN segments, those are merged into one segment of the next tier. A document is
  rewritten about log_FAN_IN(MAX_DOCS) times before its segment is large; segments below
  MAX_DOCS stay fewer than FAN_IN per tier, large ones grow by one per MAX_DOCS sections
  published (a rebuild writes one per 500 reports), and no step rewrites more than 2 x
  MAX_DOCS documents. Large segments are never merged again: merging those is what Whoosh's
  MERGE_SMALL did for minutes under the writer lock.
- The tiers leave up to FAN_IN - 1 small segments in each tier. Once the index has seen no
  commit for a while (SEARCH_COMPACT_SWEEP_IDLE_SECONDS), a last step merges them into one
  or two, within the same bound of 2 x MAX_DOCS documents (`plan_sweep`).
- FTS5 (the recall index): one bounded 'merge' command (FTS5 merges its b-tree segments in
  C), which SQLite runs in its own transaction while readers keep their WAL snapshot.

A merge writes its segment outside the index lock (segments never change; only their
deletion lists in the table of contents do), then takes the lock for a moment to carry over
documents deleted meanwhile and to list the merged segment in a new table of contents: the
writer's steps, however long, hold up neither readers nor publishes.

Readers open a segment's files lazily, when a query first needs a field, so files of a
merged-away segment must outlive every searcher that may still list it: Whoosh's own clean-up
deletes them at once (which gave 500s). `RetainingWriter` replaces that clean-up for every
commit to the live index: unreferenced files are recorded with the time they were retired
and deleted only once RETAIN_SECONDS have passed. A web worker refreshes its searcher at the
start of each request and a request lasts at most gunicorn's timeout, so a file retired longer
ago than that is read by nobody.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from whoosh.index import TOC
from whoosh.writing import SegmentWriter

from search.cache import content_identity, newest_toc_identity, record_unchanged_content
from search.index_folder import listing

log = logging.getLogger(__name__)

RETIRED_FILE = "retired-files.json"  # beside the segments; Whoosh ignores names it did not make


def fan_in() -> int:
    return max(2, int(getattr(settings, "SEARCH_COMPACT_FAN_IN", 8)))


def max_docs() -> int:
    return int(getattr(settings, "SEARCH_COMPACT_MAX_DOCS", 2000))


def retain_seconds() -> float:
    return float(getattr(settings, "SEARCH_SEGMENT_RETAIN_SECONDS", 300.0))


# --- keeping files readers may still open ---------------------------------------------------


class RetainingWriter(SegmentWriter):
    """Whoosh's segment writer, except that files no longer referenced are retired, not
    deleted (see the top of this module). `now` is the clock (tests pass their own)."""

    def __init__(self, ix, *, now=time.time, **kwargs):
        super().__init__(ix, **kwargs)
        self._now = now

    def _commit_toc(self, segments):
        toc = TOC(self.schema, segments, self.generation)
        toc.write(self.storage, self.indexname)
        retire_unused_files(
            Path(self.storage.folder), self.indexname, self.generation, segments, self._now()
        )


def retire_unused_files(
    folder: Path, indexname: str, generation: int, segments, now: float
) -> list[str]:
    """Record the files of `folder` no table of contents newer than `generation` uses (old
    tables of contents included: a reader lists them, then reads one), and delete those
    retired RETAIN_SECONDS ago or longer. Returns the names deleted."""
    current = {s.segment_id() for s in segments}
    if merging := _merging(folder):
        current.add(merging)  # being written by a merge outside the lock
    toc_re, seg_re = TOC._pattern(indexname), TOC._segment_pattern(indexname)
    unused = set()
    for name in os.listdir(folder):
        if (m := toc_re.match(name)) and int(m.group(1)) != generation:
            unused.add(name)
        elif (m := seg_re.match(name)) and m.group(1) not in current:
            unused.add(name)
    retired = _read_retired(folder)
    retired = {name: at for name, at in retired.items() if name in unused}
    deleted = []
    for name in sorted(unused):
        since = retired.setdefault(name, now)
        if now - since >= retain_seconds():
            try:
                os.unlink(folder / name)
            except FileNotFoundError:
                pass
            del retired[name]
            deleted.append(name)
    _write_retired(folder, retired)
    return deleted


def _read_retired(folder: Path) -> dict[str, float]:
    try:
        return {
            str(k): float(v) for k, v in json.loads((folder / RETIRED_FILE).read_text()).items()
        }
    except (OSError, ValueError, AttributeError):
        return {}


def _write_retired(folder: Path, retired: dict[str, float]) -> None:
    path = folder / RETIRED_FILE
    if not retired:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(retired, sort_keys=True))
    os.replace(tmp, path)


# --- choosing what to merge ------------------------------------------------------------------


def tier(doc_count: int) -> int:
    return int(math.log(max(1, doc_count), fan_in()))


def plan_merge(segments) -> list:
    """The segments one compaction step merges: every segment whose documents are all
    deleted (nothing to copy), plus FAN_IN segments of the lowest tier that has that many (none if no tier
    has), as many of them as hold at most 2 x MAX_DOCS documents together. Segments of
    MAX_DOCS documents or more (a rebuild's, or a merge's that grew that large) stay as they
    are, unless a third of their documents or more are deleted: then one of them is rewritten
    alone."""
    small = [s for s in segments if s.doc_count_all() < max_docs()]
    empty = [s for s in segments if s.doc_count() == 0]  # dropped whatever their size
    tiers: dict[int, list] = {}
    for s in small:
        if s.doc_count() > 0:
            tiers.setdefault(tier(s.doc_count()), []).append(s)
    for t in sorted(tiers):
        if len(tiers[t]) < fan_in():
            continue
        group, total = [], 0
        for s in sorted(tiers[t], key=lambda s: s.doc_count())[: fan_in()]:
            if group and total + s.doc_count() > 2 * max_docs():
                break
            group.append(s)
            total += s.doc_count()
        if len(group) >= 2:
            return empty + group
    if empty:
        return empty
    # A segment (a rebuild's included) with a large share of deleted documents, the old
    # versions of reports published again, is rewritten alone: queries still walk the
    # deleted documents' postings, and Whoosh's scores still count them.
    worn = [
        s
        for s in segments
        if s.doc_count_all()
        and s.doc_count() > 0
        and 1 - s.doc_count() / s.doc_count_all() >= EXPUNGE_SHARE
    ]
    if worn:
        return [max(worn, key=lambda s: 1 - s.doc_count() / s.doc_count_all())]
    return []


# The share of deleted documents past which a segment is rewritten on its own.
EXPUNGE_SHARE = 1 / 3


def sweep_idle_seconds() -> float:
    return float(getattr(settings, "SEARCH_COMPACT_SWEEP_IDLE_SECONDS", 20.0))


def plan_sweep(segments) -> list:
    """The last step, once the tiers have nothing to merge: the small segments into one (as
    many, smallest first, as hold at most 2 x MAX_DOCS documents). The tiers leave up to
    FAN_IN - 1 segments in each, and a query pays per segment: after 150 publishes, 14 of
    them left the list 1.76x slower than a fresh build. The largest of them is left out while
    it holds more documents than all the others together: otherwise every quiet moment after
    a publish would rewrite it whole for one small segment more; this way a document is
    rewritten about log2 times before its segment grows large, and at most two small
    segments remain. Only when the index has seen no commit for
    SEARCH_COMPACT_SWEEP_IDLE_SECONDS (the caller checks that)."""
    small = sorted(
        (s for s in segments if 0 < s.doc_count() and s.doc_count_all() < max_docs()),
        key=lambda s: s.doc_count(),
    )
    group, total = [], 0
    for s in small:
        if group and total + s.doc_count() > 2 * max_docs():
            break
        group.append(s)
        total += s.doc_count()
    if len(group) >= 2 and group[-1].doc_count() > total - group[-1].doc_count():
        group.pop()
    return group if len(group) >= 2 else []


def _quiet_for(folder: Path, indexname: str, now: float) -> float:
    """Seconds since the newest table of contents was written (any commit: a publish's, a
    merge's)."""
    toc = listing(folder).newest_toc(indexname)
    newest = 0.0
    if toc is not None:
        with contextlib.suppress(FileNotFoundError):
            newest = os.stat(folder / toc[1]).st_mtime
    return now - newest


def choose_merge(ix, folder: Path, now: float) -> set[str]:
    """The ids of the segments one step merges: the tiers' plan, else the idle sweep."""
    segments = ix._segments()
    planned = plan_merge(segments)
    if not planned and _quiet_for(folder, ix.indexname, now) >= sweep_idle_seconds():
        planned = plan_sweep(segments)
    return {s.segment_id() for s in planned}


# --- one step ----------------------------------------------------------------------------------


class MergeWriter(SegmentWriter):
    """Writes one merged segment without touching the table of contents, outside the index
    lock. Its pool and its column writer get a temporary folder of their own: Whoosh names
    every writer's "MAIN.tmp", and a publish committing meanwhile deletes that folder when
    it finishes (the merge then failed on its vanished column file, under the 10,000-report
    load test)."""

    def __init__(self, ix, limitmb: int = 256):
        from whoosh.writing import PostingPool

        super().__init__(ix, _lk=False, compound=False, limitmb=limitmb)
        self._tempstorage = self.storage.temp_storage(
            f"{self.indexname}.merge-{os.getpid()}-{time.monotonic_ns()}.tmp"
        )
        self.pool = PostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        shared = self.perdocwriter._cols  # its temporary file is in the shared folder
        self.perdocwriter = self.codec.per_document_writer(
            _OwnTempStorage(self.storage, self._tempstorage), self.newsegment
        )
        shared._temp.close()
        with contextlib.suppress(FileNotFoundError):
            shared._tempstorage.delete_file(shared._tempname)

    def finish_segment(self):
        """The merged segment's files written; the segment (None if nothing was added)."""
        seg = self._finalize_segment() if self._added else None
        self.discard()
        return seg

    def discard(self) -> None:
        if not self.is_closed:
            self._close_segment()
            self._tempstorage.destroy()
            self.is_closed = True


class _OwnTempStorage:
    """The index's storage, except that its temporary folder is the merge's own."""

    def __init__(self, storage, temp):
        self._storage = storage
        self._temp = temp

    def temp_storage(self, name=None):
        return self._temp

    def __getattr__(self, name):
        return getattr(self._storage, name)


def _live_docnums(seg) -> list[int]:
    return [d for d in range(seg.doc_count_all()) if not seg.is_deleted(d)]


def compact_whoosh(*, timeout: float = 30.0, now=time.time) -> int:
    """One bounded Whoosh merge; returns the segments merged (0: none needed).

    The merged segment is written outside the index lock, from segments that never change
    (only their deletion lists, kept in the table of contents, do): publishes go on being
    written and searched meanwhile. Then, under the lock for a moment, the documents deleted
    since (a report published again) are deleted in the merged segment too, and a new table
    of contents lists it instead of the segments it merged. Readers keep their searcher; the
    next request refreshes to the new table of contents."""
    from search.indexing import open_index

    with _compaction_lock() as free:
        if not free:
            return 0
        ix = open_index()
        folder = Path(ix.storage.folder)
        planned = choose_merge(ix, folder, now())
        if not planned:
            _clean_retired(ix, folder, now)
            return 0
        writer = MergeWriter(ix)
        chosen = [s for s in writer.segments if s.segment_id() in planned]
        live = {s.segment_id(): _live_docnums(s) for s in chosen}
        _write_merging(folder, writer.newsegment.segment_id())
        try:
            newseg = _write_merged(writer, chosen, live)
            _swap_in(ix, folder, newseg, [s.segment_id() for s in chosen], live, timeout, now)
        except _Superseded:
            log.info("search index: compaction superseded by another write; dropped")
            _write_merging(folder, None)
            return 0
        except BaseException:
            writer.discard()
            _write_merging(folder, None)  # its files are retired by the next commit
            raise
    docs = sum(len(v) for v in live.values())
    log.info("search index: merged %d small segments (%d documents)", len(chosen), docs)
    return len(chosen)


def _write_merged(writer: MergeWriter, chosen: list, live: dict[str, list[int]]):
    """The merged segment's files, written outside the lock; the segment (None: no live
    document was left to copy)."""
    from whoosh.reading import SegmentReader

    for seg in chosen:
        if live[seg.segment_id()]:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)  # copies the live documents, in docnum order
            reader.close()
    return writer.finish_segment()


def _swap_in(ix, folder: Path, newseg, merged_ids: list[str], live, timeout: float, now) -> None:
    """Under the index lock, for a moment: deletions made meanwhile carried over, and a new
    table of contents listing `newseg` instead of the segments it merged."""
    from whoosh.index import TOC as Toc

    from search.indexing import _whoosh_lock, index_lock, open_index

    with index_lock(timeout):
        if Path(open_index().storage.folder) != folder:
            raise _Superseded  # a rebuild swapped the index in the meantime
        with _whoosh_lock(ix):
            toc = ix._read_toc()
            current = {s.segment_id(): s for s in toc.segments}
            if any(i not in current for i in merged_ids):
                raise _Superseded
            if newseg is not None:
                _carry_deletions(newseg, [current[i] for i in merged_ids], live)
            segments = [s for s in toc.segments if s.segment_id() not in merged_ids]
            if newseg is not None and newseg.doc_count():
                segments.append(newseg)
            content = content_identity(folder, newest_toc_identity(folder, ix.indexname))
            Toc(toc.schema, segments, toc.generation + 1).write(ix.storage, ix.indexname)
            # The same documents in fewer segments: cached results stay valid.
            record_unchanged_content(folder, content, ix.indexname)
            _write_merging(folder, None)
            retire_unused_files(folder, ix.indexname, toc.generation + 1, segments, now())


class _Superseded(Exception):
    pass


def _carry_deletions(newseg, merged: list, live: dict[str, list[int]]) -> None:
    """Documents deleted from the merged segments while the merge ran (a report published
    again): the same documents, at their new numbers, are deleted in the merged segment."""
    newdoc = 0
    for seg in merged:
        for d in live[seg.segment_id()]:
            if seg.is_deleted(d):
                newseg.delete_document(newdoc)
            newdoc += 1


def _clean_retired(ix, folder: Path, now) -> None:
    # Files retired by earlier commits still go once their time is up.
    if _read_retired(folder):
        from search.indexing import index_lock

        with index_lock(0.0):
            retire_unused_files(folder, ix.indexname, ix.latest_generation(), ix._segments(), now())


MERGING_FILE = "merging-segment.txt"  # the segment a merge is writing: not to be retired


def _write_merging(folder: Path, segment_id: str | None) -> None:
    path = folder / MERGING_FILE
    if segment_id is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(segment_id)


def _merging(folder: Path) -> str | None:
    try:
        return (folder / MERGING_FILE).read_text().strip() or None
    except OSError:
        return None


@contextlib.contextmanager
def _compaction_lock():
    """One compaction at a time (the writer, or a benchmark beside it); yields False if
    another holds it."""
    from search.indexing import lock_path

    path = lock_path().with_name(lock_path().name.replace(".lock", ".compact.lock"))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# FTS5 work units per step: pages of segment b-tree merged (SQLite's 'merge' command).
RECALL_MERGE_PAGES = 200


def compact_recall(*, timeout: float = 0.0) -> bool:
    """One bounded FTS5 merge of the live recall index; True if it found work to do."""
    from search.indexing import index_lock, index_path
    from search.recall import RecallIndex

    with index_lock(timeout):
        recall = RecallIndex(index_path().resolve())
        try:
            before = recall.conn.total_changes
            recall.conn.execute(
                "INSERT INTO chars(chars, rank) VALUES ('merge', ?)", (RECALL_MERGE_PAGES,)
            )
            # SQLite's documented test: fewer than two rows written means nothing was merged.
            return recall.conn.total_changes - before >= 2
        finally:
            recall.close()


# How much nicer than the web workers the writer's compaction thread runs: a merge is pure
# Python (Whoosh copies every term's postings, ~80 ms of CPU per document on this machine),
# and on a busy machine readers should get the cores first; the merge is not urgent.
COMPACTION_NICENESS = 10


def lower_this_threads_priority() -> None:
    """Run the calling thread (the writer's compaction thread, which ends after one step) at
    COMPACTION_NICENESS. Linux gives each thread its own niceness; elsewhere, nothing."""
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(current, COMPACTION_NICENESS))
    except (AttributeError, OSError):
        pass


def compact_step(*, timeout: float = 0.0) -> int:
    """What the writer runs when its queue is empty: one Whoosh step, one FTS5 step. Returns
    the Whoosh segments merged plus 1 if FTS5 merged anything (0: the index is compact).
    `timeout` is the wait for the lock before the FTS5 step; a Whoosh merge, once written,
    waits up to 30 s for its moment under the lock (a rebuild holds it longer: the merge is
    then dropped)."""
    merged = compact_whoosh()
    return merged + int(compact_recall(timeout=timeout))


def segment_count() -> int:
    from search.indexing import open_index

    return len(open_index()._segments())

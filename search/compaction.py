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
- FTS5 (the recall index): one bounded 'merge' command, which SQLite runs in its own
  transaction while readers keep reading their WAL snapshot.

Readers open a segment's files lazily, when a query first needs a field, so files of a
merged-away segment must outlive every searcher that may still list it: Whoosh's own clean-up
deletes them at once (which gave 500s). `RetainingWriter` replaces that clean-up for every
commit to the live index: unreferenced files are recorded with the time they were retired
and deleted only once RETAIN_SECONDS have passed. A web worker refreshes its searcher at the
start of each request and a request lasts at most gunicorn's timeout, so a file retired longer
ago than that is read by nobody.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

from django.conf import settings
from whoosh.index import TOC
from whoosh.writing import SegmentWriter

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
    deleted, plus FAN_IN segments of the lowest tier that has that many (none if no tier
    has), as many of them as hold at most 2 x MAX_DOCS documents together. Segments of
    MAX_DOCS documents or more (a rebuild's, or a merge's that grew that large) stay as they
    are."""
    small = [s for s in segments if s.doc_count_all() < max_docs()]
    empty = [s for s in small if s.doc_count() == 0]
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
    return empty


def _merge_only(chosen):
    ids = {s.segment_id() for s in chosen}

    def policy(writer, segments):
        from whoosh.reading import SegmentReader

        kept = []
        for seg in segments:
            if seg.segment_id() in ids and seg.doc_count() == 0:
                continue  # every document deleted: the segment just goes
            if seg.segment_id() in ids:
                reader = SegmentReader(writer.storage, writer.schema, seg)
                writer.add_reader(reader)  # copies the live documents only
                reader.close()
            else:
                kept.append(seg)
        return kept

    return policy


# --- one step ----------------------------------------------------------------------------------


def compact_whoosh(*, timeout: float = 0.0, now=time.time) -> int:
    """One bounded Whoosh merge under the writer's lock; returns the segments merged (0: none
    needed). Readers keep their searcher; the next request refreshes to the new segments."""
    from search.indexing import _whoosh_lock, index_lock, open_index

    with index_lock(timeout):
        ix = open_index()
        chosen = plan_merge(ix._segments())
        if not chosen:
            # Files retired by earlier commits still go once their time is up.
            folder = Path(ix.storage.folder)
            if _read_retired(folder):
                retire_unused_files(
                    folder, ix.indexname, ix.latest_generation(), ix._segments(), now()
                )
            return 0
        with _whoosh_lock(ix):
            writer = RetainingWriter(ix, now=now, _lk=False, compound=False)
            try:
                writer.commit(mergetype=_merge_only(chosen))
            except BaseException:
                writer.cancel()
                raise
    docs = sum(s.doc_count() for s in chosen)
    log.info("search index: merged %d small segments (%d documents)", len(chosen), docs)
    return len(chosen)


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


def compact_step(*, timeout: float = 0.0) -> int:
    """What the writer runs when its queue is empty: one Whoosh step, one FTS5 step. Returns
    the Whoosh segments merged plus 1 if FTS5 merged anything (0: the index is compact)."""
    merged = compact_whoosh(timeout=timeout)
    return merged + int(compact_recall(timeout=timeout))


def segment_count() -> int:
    from search.indexing import open_index

    return len(open_index()._segments())

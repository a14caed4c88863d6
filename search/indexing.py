"""Keeping the search index in step with the database, through one writer at a time.

Web workers and commands never write to the index directly: they call `enqueue_report()`
inside the transaction that changes a report, and `apply_pending()` (after commit, and from
the `apply_index_queue` command) applies the queue under an exclusive file lock.

On disk, settings.WHOOSH_INDEX_DIR is a symbolic link to a generation directory beside it
("whoosh_index.gen-<stamp>"). A generation holds the Whoosh index (jieba words, filters,
stored fields) and the recall index (search.recall: every character, SQLite FTS5). A rebuild
writes a fresh generation and swaps the link with one atomic rename, so a searcher sees
either the old index or the new one, never a half-built one. The lock file
("whoosh_index.lock") sits beside them, outside the swapped directory.

The two parts of a generation are written in an order that never hides a section: new
sections go into the recall index first, then Whoosh commits, and only then are the sections
Whoosh no longer has removed from the recall index. A writer killed in between leaves extra
recall rows (ignored: a search only reports sections Whoosh has) and the queue row pending,
so the next run finishes the job.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search.compaction import RetainingWriter
from search.engines import get_engine
from search.models import IndexChange
from search.normalize import normalize
from search.recall import RecallIndex

log = logging.getLogger(__name__)


class IndexBusy(Exception):
    """Another process holds the index lock longer than we were willing to wait."""


class IndexUnavailable(Exception):
    """The live index cannot be used as it is; the message says what to run."""


class IndexOutdated(IndexUnavailable):
    """The index on disk predates the recall index: `manage.py rebuild_search_index`."""


class IndexMissing(IndexUnavailable):
    """The live index link is gone or points at nothing while index generations exist: the
    index was taken away, not never built. An empty index in its place would answer every
    search with nothing, so readers get an error and the writer leaves its queue alone."""


# ---------------------------------------------------------------------------------------------
# Where the index lives


def index_path() -> Path:
    return Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])


def lock_path() -> Path:
    p = index_path()
    return p.with_name(p.name + ".lock")


def _new_generation_dir() -> Path:
    p = index_path()
    stamp = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    return p.with_name(f"{p.name}.gen-{stamp}")


def get_schema():
    """The Whoosh schema haystack's backend (search.whoosh_backend) builds from search_indexes."""
    from haystack import connections

    conn = connections["default"]
    backend = conn.get_backend()
    if getattr(backend, "_search_schema", None) is None:
        _, backend._search_schema = backend.build_schema(
            conn.get_unified_index().all_searchfields()
        )
    return backend._search_schema


def section_index():
    from haystack import connections

    from archive.models import Section

    return connections["default"].get_unified_index().get_index(Section)


def ensure_index() -> Path:
    """Make sure an index exists at index_path() (a link to a generation); return its target."""
    from whoosh.index import create_in, exists_in

    p = index_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.is_symlink() and p.exists():
        return p.resolve()
    with index_lock(timeout=60):
        if p.is_symlink() and p.exists():
            return p.resolve()
        if p.is_symlink() or any(p.parent.glob(f"{p.name}.gen-*")):
            raise IndexMissing(
                f"the live search index ({p.name}) is missing or points at nothing: put it "
                "back, or run `manage.py rebuild_search_index`"
            )
        gen = _new_generation_dir()
        if p.is_dir() and not p.is_symlink():
            # An index from before the switch to generations: move it aside, keep using it.
            os.rename(p, gen)
        else:
            gen.mkdir()
        if not exists_in(str(gen)):
            create_in(str(gen), get_schema())
            RecallIndex(gen).create()
        _swap_link(gen)
        return gen


def _swap_link(target: Path) -> None:
    p = index_path()
    tmp = p.with_name(f"{p.name}.link-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target.name, tmp)  # relative: the folder may be moved as a whole
    if p.is_symlink() or not p.exists():
        os.replace(tmp, p)  # atomic on POSIX
    else:
        os.unlink(tmp)
        raise RuntimeError(f"{p} is a real directory; run ensure_index() first")


def open_index():
    from search.index_folder import open_folder_index

    gen = ensure_index()
    if not RecallIndex(gen).exists():
        raise IndexOutdated(
            f"the search index at {gen.name} has no recall index (made by an older version): "
            "run `manage.py rebuild_search_index`"
        )
    return open_folder_index(gen, schema=get_schema())


# ---------------------------------------------------------------------------------------------
# The lock


@contextlib.contextmanager
def index_lock(timeout: float = 10.0) -> Iterator[None]:
    """Exclusive lock on the index (all processes on this machine), waiting up to `timeout`."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Re-entrant within one thread: ensure_index() may be called while the lock is held.
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"index lock {path} busy for {timeout:g} s") from None
                time.sleep(0.05)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_held = threading.local()


# ---------------------------------------------------------------------------------------------
# Documents


def documents_for_report(report_id: int) -> list[dict]:
    """The index documents a report should have now: its current version's sections if it is
    published, else none."""
    from archive.models import Report, ReportStatus, Section
    from search.search_indexes import attach_units

    report = Report.objects.select_related("place", "current_version").filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.PUBLISHED or report.current_version is None:
        return []
    version = report.current_version
    version.report = report
    sections = list(Section.objects.filter(version=version).order_by("order"))
    if not sections:
        from search.search_indexes import whole_text_section

        sections = [whole_text_section(version)]
    attach_units(version, sections)
    index = section_index()
    from haystack import connections

    backend = connections["default"].get_backend()
    return [backend.prepare_document(index, s) for s in sections]


def _write_reports(
    writer, recall: RecallIndex, report_ids: Iterable[int], *, replace: bool = True
) -> tuple[int, set]:
    """Replace the reports' Whoosh documents and add their new sections to the recall index
    (in its open transaction). Returns (documents added, the reports' current sections)."""
    added, current = 0, set()
    for rid in report_ids:
        if replace:
            writer.delete_by_term("report", str(rid))
        for doc in documents_for_report(rid):
            text = doc.pop("chars", "")
            recall.add(int(doc["section"]), rid, normalize(text))
            current.add(int(doc["section"]))
            writer.add_document(**doc)
            added += 1
    return added, current


@contextlib.contextmanager
def _whoosh_lock(ix) -> Iterator[None]:
    """Whoosh's own write lock, taken and released here rather than by its writer: a writer
    whose set-up fails (a read-only or full disk) raises before it can be cancelled and keeps
    the lock, and the long-running writer would then wait for itself on every retry. Our
    index_lock is held around it, so it is free unless something outside the archive
    writes to the index."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise IndexBusy("Whoosh's write lock is held outside the archive's index lock")
    try:
        yield
    finally:
        lock.release()


def reindex_reports(
    report_ids: Iterable[int], *, timeout: float = 10.0, orphan_report_ids: Iterable[str] = ()
) -> int:
    """Bring the given reports' entries up to date, under the writer's lock, in the configured
    engine (search.engines); `orphan_report_ids` are reports whose entries are to go."""
    ids = sorted(set(report_ids))
    orphans = sorted(set(orphan_report_ids) - {str(i) for i in ids})
    with index_lock(timeout):
        return get_engine().write_reports(ids, orphans)


def write_whoosh_reports(ids: list[int], orphans: list[str]) -> int:
    """The Whoosh engine's writes (called under the writer's lock): recall additions, one
    Whoosh commit, then recall removals (the order is explained at the top)."""
    with _whoosh_lock(ix := open_index()):
        recall = RecallIndex(index_path().resolve())
        # Plain files (see rebuild()); files it no longer needs are retired, not deleted
        # while readers may still open them (search.compaction).
        writer = RetainingWriter(ix, _lk=False, compound=False)
        try:
            recall.begin()
            for rid in orphans:
                writer.delete_by_term("report", rid)
            added, current = _write_reports(writer, recall, ids)
            recall.commit()
        except BaseException:
            writer.cancel()
            recall.rollback()
            recall.close()
            raise
        try:
            # No merging here, ever. Whoosh's MERGE_SMALL compares the smallest segments
            # with a Fibonacci bound that, with the twenty segments a 10,000-report rebuild
            # writes, takes in all of them: the first publish after a rebuild rewrote every
            # document in pure Python for many minutes under the lock. And readers open a
            # segment's plain files lazily, so a merge deleting segment files under them
            # broke searches (both found by the 10,000-report load test). The writer
            # compacts small segments in bounded steps when idle (search.compaction).
            writer.commit(merge=False)
            recall.begin()
            reports = ids + [int(r) for r in orphans if str(r).isdigit()]
            recall.delete(recall.sections_of_reports(reports) - current)
            recall.commit()
        finally:
            recall.rollback()
            recall.close()
    return added


def apply_pending(
    *, timeout: float = 10.0, batch: int = 200, report_ids: Iterable[int] | None = None
) -> int:
    """Apply every pending index change (the single writer), `batch` reports per commit, or
    only those of `report_ids`. Returns the number of reports brought up to date."""
    total = 0
    only = None if report_ids is None else set(report_ids)
    while True:
        done = _apply_batch(timeout, batch, only)
        if not done:
            return total
        total += done


def _apply_batch(timeout: float, batch: int, only: set[int] | None = None) -> int:
    with index_lock(timeout):
        pending = IndexChange.objects.filter(applied_at__isnull=True)
        if only is not None:
            pending = pending.filter(report_id__in=only)
        rows = list(pending.order_by("pk").values_list("pk", "report_id")[:batch])
        if not rows:
            return 0
        report_ids = {rid for _, rid in rows}
        try:
            reindex_reports(report_ids, timeout=timeout)
        except Exception as exc:
            _record_failure([pk for pk, _ in rows], exc)
            raise
        # Rows added while we wrote stay pending: the next run applies them.
        IndexChange.objects.filter(pk__in=[pk for pk, _ in rows]).update(applied_at=timezone.now())
    log.info("search index: applied %d change(s) for %d report(s)", len(rows), len(report_ids))
    return len(report_ids)


_PATH = re.compile(r"(?:/[^/\s'\"]+)+/([^/\s'\"]+)")


def describe_failure(exc: BaseException) -> str:
    """What went wrong, short and safe to show on /healthz: the kind of error and its message
    with absolute paths cut to their last part (a public answer names no server folders)."""
    if isinstance(exc, OSError) and exc.strerror:
        name = Path(exc.filename).name if exc.filename else ""
        detail = f"{exc.strerror}" + (f": {name}" if name else "")
    else:
        detail = _PATH.sub(r"\1", str(exc))
    return f"{type(exc).__name__}: {detail}"[:300]


def _record_failure(pks: list[int], exc: BaseException) -> None:
    # The database may be what failed: recording is best effort, the log has the traceback.
    try:
        IndexChange.objects.filter(pk__in=pks).update(
            attempts=F("attempts") + 1,
            last_error=describe_failure(exc),
            last_attempt_at=timezone.now(),
        )
    except Exception:
        log.exception("search index: could not record the failure on the queue")


def apply_pending_quietly(report_ids: Iterable[int] | None = None) -> None:
    """apply_pending() for web requests: waits at most SEARCH_APPLY_TIMEOUT (~100 ms) for the
    lock, so a busy writer never holds an editor up; a busy or broken index is logged, never
    raised, and the change stays queued for the background writer. Given `report_ids`, only
    their changes: a request that published one report writes that one, not a backlog left by
    others (which once kept an upload waiting for a minute)."""
    try:
        apply_pending(timeout=settings.SEARCH_APPLY_TIMEOUT, report_ids=report_ids)
    except IndexBusy:
        log.info("search index busy: change left to the background writer")
    except Exception:
        log.exception("search index update failed: change left to the background writer")


def queue_state() -> dict:
    """The queue as /healthz shows it: how many changes wait, how long the oldest has waited,
    and why, if the writer has tried and failed."""
    pending = IndexChange.objects.filter(applied_at__isnull=True)
    oldest = pending.order_by("created_at").values("created_at", "attempts").first()
    failing = (
        pending.exclude(last_error="")
        .order_by("-last_attempt_at")
        .values("last_error", "attempts", "last_attempt_at")
        .first()
    )
    now = timezone.now()
    return {
        "pending": pending.count(),
        "oldest_pending_seconds": round((now - oldest["created_at"]).total_seconds(), 1)
        if oldest
        else None,
        "last_error": failing["last_error"] if failing else None,
        "attempts": failing["attempts"] if failing else 0,
        "bound_seconds": settings.SEARCH_STALENESS_BOUND_SECONDS,
    }


COMPACT_RECHECK_SECONDS = 30.0


def writer_leader_path() -> Path:
    p = index_path()
    return p.with_name(p.name + ".writer")


@contextlib.contextmanager
def writer_leadership(stopping: threading.Event, poll: float = 0.05) -> Iterator[bool]:
    """Be the one background writer of this machine: yields True once this process holds
    the writer's own lock (or False if `stopping` was set while waiting).

    Two writer processes run, one of them waiting here, started and warmed up: when the
    writer is killed the kernel releases its lock and the standby takes over within a poll,
    instead of the seconds a fresh process needs to start Django and load the dictionary on a
    loaded machine (the staleness bound). The index lock still guards every write; this lock
    only decides which loop runs."""
    path = writer_leader_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if stopping.wait(poll):
                    yield False
                    return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Writer:
    """The background writer's loop (`apply_index_queue --loop`): polls the queue, applies it,
    and survives anything. A failure is logged with its traceback, recorded on the rows it
    concerned (for /healthz) and retried after a back-off that doubles up to `max_backoff`,
    so a read-only disk or a database restart costs retries, never a dead writer. SIGTERM
    ends it between batches; SIGKILL at any moment loses nothing (the rows stay pending)."""

    def __init__(self, *, poll: float, lock_wait: float, max_backoff: float = 30.0, report=print):
        self.poll = poll
        self.lock_wait = lock_wait
        self.max_backoff = max_backoff
        self.report = report
        self.stopping = threading.Event()
        self.failures = 0
        self.compacted = False  # the last compaction step found nothing to do
        self.compacted_at = 0.0
        self.compacting: threading.Thread | None = None

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run_once(self) -> float:
        """One round; returns how long to sleep before the next."""
        from django import db

        try:
            done = apply_pending(timeout=self.lock_wait)
        except IndexBusy as exc:
            # A rebuild or a web request holds the lock: not a failure, just wait a poll.
            log.info("index writer: %s, will retry", exc)
            return self.poll
        except Exception as exc:
            self.failures += 1
            delay = min(self.max_backoff, self.poll * 2 ** min(self.failures, 10))
            log.exception(
                "index writer: applying the queue failed (%s); retry %d in %.1f s",
                describe_failure(exc),
                self.failures,
                delay,
            )
            # A broken database connection is replaced on the next query.
            db.close_old_connections()
            with contextlib.suppress(Exception):
                db.connection.close()
            return delay
        if self.failures:
            log.warning("index writer: recovered after %d failed attempt(s)", self.failures)
        self.failures = 0
        if done:
            self.report(f"index: {done} report(s) brought up to date")
            self.compacted = False
        else:
            self.compact_when_idle()
        return self.poll

    def compact_when_idle(self) -> None:
        """Start one bounded compaction step (search.compaction) in a thread of its own when
        the queue is empty, until a step finds nothing to do (then again after the next
        write, or after COMPACT_RECHECK_SECONDS: web requests write too, and retired files
        wait for a step to delete them). A thread, because a merge is written outside the
        lock and may take a while: the queue goes on being applied meanwhile."""
        if self.compacting is not None and self.compacting.is_alive():
            return
        if self.compacted and time.monotonic() - self.compacted_at < COMPACT_RECHECK_SECONDS:
            return
        self.compacting = threading.Thread(
            target=self._compact_step, name="index-compaction", daemon=True
        )
        self.compacting.start()

    def _compact_step(self) -> None:
        from search.compaction import lower_this_threads_priority

        lower_this_threads_priority()  # readers first: this thread ends after the step
        try:
            self.compacted = get_engine().compact(timeout=0.0) == 0
            self.compacted_at = time.monotonic()
        except IndexBusy:
            pass  # a web request or a rebuild is writing: compact at a later idle moment
        except Exception:
            log.exception("index writer: compaction step failed; will try again when idle")

    def wait_for_compaction(self, timeout: float | None = None) -> None:
        if self.compacting is not None:
            self.compacting.join(timeout)

    def run(self) -> None:
        while not self.stopping.is_set():
            self.stopping.wait(self.run_once())


def enqueue_report(report, *, apply: bool | None = None) -> None:
    """Record that `report`'s index entries must be brought up to date (call inside the
    transaction that changes it). Unless SEARCH_APPLY_ON_COMMIT is off (bulk imports), the
    report's changes are applied as soon as that transaction commits, so the change is
    searchable in the next request; anything else pending is the queue worker's
    (apply_index_queue --loop)."""
    IndexChange.objects.create(report=report)
    if apply is None:
        apply = getattr(settings, "SEARCH_APPLY_ON_COMMIT", True) and not getattr(
            _deferred, "active", False
        )
    if apply:
        # One callback per enqueue, not one per transaction: a rolled-back transaction drops
        # its callbacks, and a "already scheduled" flag would then never be cleared. Extra
        # callbacks for one report are cheap: the first applies its changes, the rest find
        # none left.
        transaction.on_commit(functools.partial(apply_pending_quietly, report_ids=[report.pk]))


def enqueue_changed_report(sender, *, report, **kwargs) -> None:
    """The receiver of archive.signals.report_changed (connected in SearchConfig.ready()):
    the archive's services announce an edit, and its queue row is written here, in the
    edit's transaction."""
    enqueue_report(report)


def enqueue_renamed_place(sender, *, instance, created: bool = False, raw: bool = False, **kwargs):
    """The receiver of a Place's post_save (connected in SearchConfig.ready()). A place's
    name is in its reports' index entries, and in those of every place below it (a `place`
    filter names a place or any place above it), so a saved place queues every report at it
    or below it: after a rename the new name finds them in the next request, the old one no
    longer does, and the data version moves, so no cached page keeps the old name."""
    if raw or created:  # loaddata brings its own index; a new place has no reports yet
        return
    from archive.models import Place, Report

    places, frontier = {instance.pk}, [instance.pk]
    while frontier:
        frontier = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        places.update(frontier)
    for report in Report.objects.filter(place_id__in=places).order_by("pk"):
        enqueue_report(report)


_deferred = threading.local()


@contextlib.contextmanager
def deferred_apply() -> Iterator[None]:
    """Within this block enqueue_report() only queues; the queue is applied once at the end
    (bulk imports: one index commit instead of one per report)."""
    outer = getattr(_deferred, "active", False)
    _deferred.active = True
    try:
        yield
    finally:
        _deferred.active = outer
    if not outer:
        apply_pending_quietly()


def prune_applied(days: int = 7) -> int:
    """Forget queue rows applied more than `days` ago."""
    cutoff = timezone.now() - timezone.timedelta(days=days)
    return IndexChange.objects.filter(applied_at__lt=cutoff).delete()[0]


# ---------------------------------------------------------------------------------------------
# Rebuild and drift check


def published_report_ids() -> list[int]:
    from archive.models import Report

    return list(
        Report.objects.published()
        .filter(current_version__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rebuild(*, progress=None, report_ids: Iterable[int] | None = None, **options) -> dict:
    """Build a fresh index of every published report (or of `report_ids` only: [] makes an
    empty index) in the configured engine and swap it in atomically, under the writer's lock.
    Changes visible when it starts are reflected by the rebuild; later ones stay queued.
    `options` are the engine's own (Whoosh: procs, limitmb, segment_reports, keep)."""
    with index_lock(timeout=60):
        pending = list(
            IndexChange.objects.filter(applied_at__isnull=True).values_list("pk", flat=True)
        )
        info = get_engine().rebuild(progress=progress, report_ids=report_ids, **options)
        IndexChange.objects.filter(pk__in=pending).update(applied_at=timezone.now())
    return info


def build_whoosh_index(
    *,
    procs: int = 1,
    limitmb: int = 1024,
    segment_reports: int = 500,
    progress=None,
    keep: int = 1,
    report_ids: Iterable[int] | None = None,
) -> dict:
    """The Whoosh engine's rebuild (called under the writer's lock): a new generation
    directory, written from the database, swapped in by one rename of the index link."""
    from whoosh.index import create_in

    index_path().parent.mkdir(parents=True, exist_ok=True)  # works with no live index too
    started = time.monotonic()
    gen = _new_generation_dir()
    gen.mkdir()
    ix = create_in(str(gen), get_schema())
    recall = RecallIndex(gen)
    recall.create()
    # Segments as plain files, not Whoosh's compound files: a reader copies each part of
    # a compound file it opens into memory (BytesIO), which made a worker hold ~900 MB
    # for a 10,000-report index; plain files are read where needed.
    kwargs = {"limitmb": limitmb, "compound": False}
    if procs > 1:
        kwargs.update(procs=procs, multisegment=True)
    ids = published_report_ids() if report_ids is None else sorted(set(report_ids))
    docs = 0
    writer = None
    try:
        recall.begin()
        for n, rid in enumerate(ids, 1):
            if writer is None:
                writer = ix.writer(**kwargs)
            added, _ = _write_reports(writer, recall, [rid], replace=False)
            docs += added
            if n % segment_reports == 0:
                # One segment per batch, written from memory: a pool larger than
                # `limitmb` would be spilled to sorted runs on disk and merged again
                # (pickled posting by posting), which made big rebuilds 40% slower.
                writer.commit(merge=False)
                writer = None
            if progress and (n % 50 == 0 or n == len(ids)):
                progress(n, len(ids))
        recall.optimize()
        recall.commit()
        (writer or ix.writer(**kwargs)).commit(merge=False)
    except BaseException:
        if writer is not None:
            writer.cancel()
        recall.rollback()
        recall.close()
        shutil.rmtree(gen, ignore_errors=True)
        raise
    recall.close()
    old = index_path().resolve()
    _swap_link(gen)
    _remove_old_generations(keep={gen, old} if keep else {gen})
    return {
        "reports": len(ids),
        "sections": docs,
        "seconds": time.monotonic() - started,
        "path": str(gen),
    }


def _remove_old_generations(keep: set[Path]) -> None:
    # The previous generation is kept: a searcher in another process may still be reading it
    # for the request in flight; it reopens on its next request.
    p = index_path()
    for d in p.parent.glob(f"{p.name}.gen-*"):
        if d.resolve() not in {k.resolve() for k in keep}:
            shutil.rmtree(d, ignore_errors=True)


def metadata_key(year, place, doc_type, title) -> tuple:
    """What a section was (or should be) indexed with, in one comparable form."""
    return (int(year or 0), place or "", doc_type or "", title or "")


def drift() -> dict[str, list]:
    """Compare the index with the database: missing (expected, not indexed), stale (indexed
    from another version, before the report last changed, or with other metadata) and
    orphaned (indexed, not expected) sections. `metadata` lists the stale sections whose
    indexed year, place, kind or title is not the database's: the filters and facets a reader
    sees, compared value by value rather than trusted to a timestamp."""
    from archive.models import Report, Section

    expected: dict[str, tuple[str, str, int]] = {}
    expected_meta: dict[str, tuple] = {}
    reports = {
        r.pk: r
        for r in Report.objects.published()
        .filter(current_version__isnull=False)
        .select_related("place")
        .only(
            "pk",
            "updated_at",
            "current_version_id",
            "year",
            "doc_type",
            "title",
            "place__full_name",
        )
    }
    for pk, version_id, report_id, title in Section.objects.filter(
        version_id__in=[r.current_version_id for r in reports.values()]
    ).values_list("pk", "version_id", "version__report_id", "title"):
        r = reports[report_id]
        expected[str(pk)] = (str(version_id), r.updated_at.isoformat(), report_id)
        expected_meta[str(pk)] = metadata_key(
            r.year, r.place.full_name if r.place else "", r.doc_type, title
        )
    # A text without sections is expected as one whole-text document (search_indexes), titled
    # with the report's title.
    from search.search_indexes import whole_text_id

    with_sections = {int(v) for v, _, _ in expected.values()}
    for r in reports.values():
        if r.current_version_id not in with_sections:
            key = str(whole_text_id(r.current_version_id))
            expected[key] = (str(r.current_version_id), r.updated_at.isoformat(), r.pk)
            expected_meta[key] = metadata_key(
                r.year, r.place.full_name if r.place else "", r.doc_type, r.title
            )
    indexed, indexed_meta, in_recall = get_engine().indexed_documents()
    missing = sorted((k for k in expected if k not in indexed or k not in in_recall), key=int)
    orphaned = sorted((k for k in indexed if k not in expected), key=lambda k: int(k or 0))
    metadata = sorted(
        (k for k in expected if k in indexed and indexed_meta[k] != expected_meta[k]), key=int
    )
    stale = sorted(
        {k for k in expected if k in indexed and indexed[k][:2] != expected[k][:2]} | set(metadata),
        key=int,
    )
    texts_expected = {v for v, _, _ in expected.values()}
    return {
        "missing": missing,
        "stale": stale,
        "metadata": metadata,
        "orphaned": orphaned,
        # Published texts (current versions), and those with every document indexed and
        # up to date: a text is searchable only if all of its documents are.
        "texts": len(texts_expected),
        "texts_searchable": len(texts_expected - {expected[k][0] for k in missing + stale}),
        "reports": sorted({expected[k][2] for k in missing + stale}),
        "orphan_reports": sorted({indexed[k][2] for k in orphaned if indexed[k][2]}),
    }


def read_whoosh_index() -> tuple[dict[str, tuple], dict[str, tuple], set[str]]:
    """The Whoosh engine's side of drift(): each indexed section's (version, updated, report)
    and metadata, and the sections the recall index holds."""
    indexed_meta: dict[str, tuple] = {}
    indexed: dict[str, tuple[str, str, str]] = {}
    ix = open_index()
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            key = fields.get("django_id")
            indexed[key] = (fields.get("version"), fields.get("updated"), fields.get("report"))
            indexed_meta[key] = metadata_key(
                fields.get("year"), fields.get("place"), fields.get("doc_type"), fields.get("title")
            )
    # The recall index must hold every section Whoosh holds (extra rows are harmless: a
    # search reports only sections Whoosh has, and the next write of the report drops them).
    recall = RecallIndex(index_path().resolve())
    try:
        in_recall = {str(s) for s in recall.all_sections()}
    finally:
        recall.close()
    return indexed, indexed_meta, in_recall


def repair(found: dict[str, list] | None = None) -> int:
    found = found or drift()
    report_ids = set(found["reports"])
    orphan_reports = set(found["orphan_reports"])
    if not report_ids and not orphan_reports:
        return 0
    # An orphan's report may still exist (unpublished, new version): reindexing it drops
    # what should not be there; one that no longer exists is deleted by its id.
    from archive.models import Report

    existing = set(
        Report.objects.filter(pk__in=[int(r) for r in orphan_reports]).values_list("pk", flat=True)
    )
    reindex_reports(
        report_ids | existing,
        orphan_report_ids={r for r in orphan_reports if int(r) not in existing},
        timeout=60,
    )
    return len(report_ids | existing) + len(orphan_reports - {str(e) for e in existing})

"""Uploads in the background: the request stages the files, the worker parses them.

`accept_upload()` (the upload view) checks what can be checked at once (name, size, empty),
stages each acceptable file's bytes under MEDIA_ROOT/incoming/ and writes one UploadJob row
per file, all in one batch; a file refused here is a failed job with its reason, so that one
bad file never rejects the others. `process_next()` (the `process_uploads --loop` worker,
started with gunicorn by config/background.py) takes the oldest queued job, runs
archive.services.store_file on it and records the outcome. A job is claimed with a
conditional UPDATE, so two workers never parse the same file; a worker killed mid-parse
leaves its job "parsing", and the next worker start puts it back in the queue (after
MAX_ATTEMPTS it fails with a message instead, so a file that kills the parser cannot loop).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from archive.ingest.result import IngestError
from archive.models import UploadJob, UploadJobState

log = logging.getLogger(__name__)

INCOMING = "incoming"
MAX_ATTEMPTS = 3
# How often the idle worker checks whether the permalink registry needs a new build (three
# small aggregate queries each time).
REGISTRY_CHECK_SECONDS = 2.0
ALLOWED_SUFFIXES = (".txt", ".text", ".htm", ".html", ".docx", ".pdf")


@dataclass
class Refusal:
    filename: str
    size: int
    reason: str


MB = 1024 * 1024


def limit_mb() -> str:
    """The upload limit as the form, the refusal and docs/settings.md state it (MB of 2**20 bytes)."""
    return f"{settings.ARCHIVE_MAX_UPLOAD_BYTES / MB:g}"


def refusal_for(name: str, size: int) -> str | None:
    """Why a file cannot be accepted, decided from its name and size alone, or None."""
    limit = settings.ARCHIVE_MAX_UPLOAD_BYTES
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        return "不支持的文件类型，只接受 .txt .html .docx .pdf。Unsupported file type."
    if size > limit:
        return f"文件过大（{size / MB:.1f} MB，上限 {limit_mb()} MB）File too large."
    if size == 0:
        return "文件为空。The file is empty."
    return None


def accept_upload(files, *, user, publish: bool) -> str:
    """Stage `files` (Django UploadedFile objects, names already made safe) as one batch of
    jobs; returns the batch code. Nothing is parsed here."""
    batch = UploadJob._meta.get_field("batch").default()
    staged: list[str] = []
    try:
        with transaction.atomic():
            for n, f in enumerate(files):
                reason = refusal_for(f.name, f.size)
                job = UploadJob(
                    batch=batch,
                    filename=f.name[:255],
                    size=f.size,
                    publish=publish,
                    uploaded_by=user,
                )
                if reason:
                    job.state, job.message, job.finished_at = (
                        UploadJobState.FAILED,
                        reason,
                        timezone.now(),
                    )
                else:
                    # Streamed to disk from Django's temporary file: a 50 MB upload is never
                    # held in memory by the request.
                    job.staged = default_storage.save(f"{INCOMING}/{batch}-{n}", f)
                    staged.append(job.staged)
                job.save()
    except BaseException:
        for name in staged:  # no row will ever point at them
            default_storage.delete(name)
        raise
    return batch


def queue_merge(draft, target, *, user) -> str:
    """A one-job batch that files `draft` as a new version of `target` in the background
    (the re-parse of a big file takes longer than a request may); returns the batch code,
    whose page shows the job's progress like an upload's."""
    source = draft.current_version.source
    job = UploadJob.objects.create(
        filename=source.original_name[:255],
        size=source.size,
        uploaded_by=user,
        merge_draft=draft.public_id,
        merge_into=target,
    )
    return job.batch


def batch_jobs(batch: str):
    return UploadJob.objects.filter(batch=batch).select_related("report").order_by("pk")


def recover_interrupted() -> int:
    """Jobs a killed worker left "parsing" go back to the queue (or fail after MAX_ATTEMPTS).
    Call when a worker starts: with one worker per deployment no other is mid-parse."""
    stuck = UploadJob.objects.filter(state=UploadJobState.PARSING)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=UploadJobState.FAILED,
        finished_at=timezone.now(),
        message="解析多次中断，请联系管理员。Parsing was interrupted repeatedly (see the server log).",
    )
    requeued = stuck.update(state=UploadJobState.QUEUED)
    return failed + requeued


def claim_next() -> UploadJob | None:
    """Take the oldest queued job for this worker, or None if there is none."""
    while True:
        job = UploadJob.objects.filter(state=UploadJobState.QUEUED).order_by("pk").first()
        if job is None:
            return None
        claimed = UploadJob.objects.filter(pk=job.pk, state=UploadJobState.QUEUED).update(
            state=UploadJobState.PARSING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            job.refresh_from_db()
            return job


def process(job: UploadJob) -> UploadJob:
    """Parse and store one claimed job; record its outcome on the row."""
    from archive.services import store_file

    try:
        if job.merge_into_id:
            outcome = _merge(job)
        else:
            with default_storage.open(job.staged, "rb") as f:
                data = f.read()
            outcome = store_file(data, job.filename, user=job.uploaded_by, publish=job.publish)
    except (IngestError, MergeRefused) as e:
        job.state, job.message = UploadJobState.FAILED, str(e)[:500]
    except Exception as e:  # the worker must survive any file; the log has the traceback
        log.exception("upload %s (%s) failed", job.pk, job.filename)
        job.state = UploadJobState.FAILED
        job.message = f"处理出错，请联系管理员。Processing failed: {type(e).__name__}"[:500]
    else:
        job.state, job.report = UploadJobState.DONE, outcome.report
        job.message = outcome.message[:500]
    job.finished_at = timezone.now()
    staged, job.staged = job.staged, ""
    job.save(update_fields=["state", "report", "message", "finished_at", "staged"])
    # The original is stored content-addressed by store_file (or was refused): the staged copy
    # has served its purpose.
    if staged:
        default_storage.delete(staged)
    return job


class MergeRefused(ValueError):
    """The draft of a merge job is gone or no longer a draft (merged or published meanwhile)."""


@dataclass
class _Merged:
    report: object
    message: str


def _merge(job: UploadJob) -> _Merged:
    from archive.models import Report, ReportStatus
    from archive.services import merge_draft_into

    draft = Report.objects.filter(public_id=job.merge_draft, status=ReportStatus.DRAFT).first()
    if draft is None or job.merge_into is None:
        raise MergeRefused("草稿已不存在或已发布，未归入。The draft is gone or no longer a draft.")
    try:
        version = merge_draft_into(draft, job.merge_into, user=job.uploaded_by)
    except ValueError as e:
        raise MergeRefused(f"未能归入：{e}。Not filed.") from None
    return _Merged(
        job.merge_into, f"已作为第 {version.number} 版归入。Filed as version {version.number}."
    )


def process_next() -> UploadJob | None:
    job = claim_next()
    return process(job) if job is not None else None


def process_batch_now(batch: str) -> None:
    """Parse a batch in this process (tests and ARCHIVE_UPLOAD_INLINE=true set-ups without the
    background worker): the same code the worker runs, one job at a time."""
    for job in batch_jobs(batch).filter(state=UploadJobState.QUEUED):
        claimed = UploadJob.objects.filter(pk=job.pk, state=UploadJobState.QUEUED).update(
            state=UploadJobState.PARSING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            job.refresh_from_db()
            process(job)


class UploadWorker:
    """The loop of `process_uploads --loop`: one job at a time, polling when idle."""

    def __init__(self, poll: float = 0.5):
        self.poll = poll
        self.stopping = threading.Event()
        self._registry_due = 0.0

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run(self) -> None:
        from django import db

        recovered = recover_interrupted()
        if recovered:
            log.warning("uploads: %d interrupted job(s) put back in the queue", recovered)
        while not self.stopping.is_set():
            try:
                job = process_next()
            except Exception:
                # The database went away, say: log, wait, reconnect on the next query.
                log.exception("uploads: the queue could not be read; retrying")
                db.close_old_connections()
                self.stopping.wait(5)
                continue
            if job is None:
                self._refresh_registry()
                self.stopping.wait(self.poll)

    def _refresh_registry(self) -> None:
        """When idle, build the permalink registry of the current data (archive.registry):
        a build is too long for a request at archive scale, and this worker is the one that
        does heavy work off the request. A failure is logged and tried again later."""
        from archive import registry

        now = time.monotonic()
        if now < self._registry_due:
            return
        self._registry_due = now + REGISTRY_CHECK_SECONDS
        try:
            built = registry.refresh_built()
        except Exception:
            log.exception("uploads: building the permalink registry failed; will retry")
            return
        if built:
            log.info("uploads: permalink registry rebuilt (%d file(s))", built)


def unaccounted_media() -> dict[str, list[str]]:
    """Files under MEDIA_ROOT that no row accounts for: originals without a SourceFile,
    staged uploads without an UploadJob (storage names, relative to MEDIA_ROOT)."""
    from pathlib import Path

    from archive.models import SourceFile

    root = Path(settings.MEDIA_ROOT)

    def files(folder: str) -> set[str]:
        base = root / folder
        return (
            {str(p.relative_to(root)) for p in base.rglob("*") if p.is_file()}
            if base.exists()
            else set()
        )

    originals = files("originals")
    known = set(SourceFile.objects.filter(file__in=originals).values_list("file", flat=True))
    staged = files(INCOMING)
    waiting = set(UploadJob.objects.filter(staged__in=staged).values_list("staged", flat=True))
    return {"originals": sorted(originals - known), "staged": sorted(staged - waiting)}

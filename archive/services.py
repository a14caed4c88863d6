"""Persisting what the ingest pipeline read: the thin layer between ParseResult and the models.

Every write happens in one transaction together with the index-queue entry that makes it
searchable (announced with archive.signals.announce_change, written by the search app), so
the database and the index can never disagree for long: the single index writer applies the
queue after commit.
"""

from __future__ import annotations

import bisect
import hashlib
import mimetypes
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.ingest import result as ingest
from archive.ingest.pipeline import PIPELINE_VERSION, parse_file
from archive.models import (
    Commitment,
    DocType,
    EditorialAction,
    Paragraph,
    Place,
    PlaceLevel,
    Report,
    ReportAlias,
    ReportStatus,
    ReportVersion,
    Section,
    SourceFile,
    source_upload_path,
)
from archive.place_names import place_slug  # callers import it from here too
from archive.signals import announce_change
from config.observability import log_editorial


def place_from_parsed(parsed: ingest.Place | None) -> Place | None:
    """Find or create the Place chain the pipeline named (top down), returning the lowest."""
    if parsed is None:
        return None
    chain = parsed.path or [(parsed.name, parsed.level, parsed.code)]
    parent: Place | None = None
    full_name = ""
    for name, level, code in chain:
        # The nation is the root of the tree but not part of a province's name.
        full_name = (
            name
            if level == PlaceLevel.NATIONAL
            else (
                full_name + name
                if parent is not None and parent.level != PlaceLevel.NATIONAL
                else name
            )
        )
        place = Place.objects.filter(code=code).first() if code else None
        if place is None:
            place = Place.objects.filter(full_name=full_name).first()
        if place is None:
            slug = place_slug(name)
            if Place.objects.filter(parent=parent, slug=slug).exists():
                slug = f"{slug}-{code or Place.objects.count()}"
            place = Place.objects.create(
                name=name,
                full_name=full_name,
                level=level,
                code=code or None,
                parent=parent,
                slug=slug,
            )
        parent = place
    return parent


def readable_path_for(report: Report) -> str:
    place = report.place.slug_path if report.place else "unknown-place"
    year = str(report.year) if report.year else "unknown-year"
    kind = report.doc_type.replace("_", "-")
    base = f"{place}/{year}/{kind}"
    path, n = base, 1
    while (
        Report.objects.filter(readable_path=path).exclude(pk=report.pk).exists()
        or ReportAlias.objects.filter(path=path).exclude(report=report).exists()
    ):
        n += 1
        path = f"{base}-{n}"
    return path


def refresh_readable_path(report: Report) -> None:
    """Give a published report the readable path its metadata calls for; keep the old one
    as an alias so that links already cited keep redirecting."""
    if report.status == ReportStatus.DRAFT:
        return
    new_path = readable_path_for(report)
    if new_path == report.readable_path:
        return
    if report.readable_path:
        ReportAlias.objects.get_or_create(path=report.readable_path, defaults={"report": report})
    ReportAlias.objects.filter(path=new_path, report=report).delete()
    report.readable_path = new_path
    report.save(update_fields=["readable_path", "updated_at"])


def log_action(
    report: Report | None, verb: str, *, user=None, changes: dict | None = None, note: str = ""
) -> EditorialAction:
    """Record an editorial act (who, when, what changed); every write path calls this."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    action = EditorialAction.objects.create(
        report=report, user=user, verb=verb, changes=changes or {}, note=note
    )
    log_editorial(user=user, action=verb, report=report, changes=changes or {}, note=note or None)
    return action


@dataclass
class StoreOutcome:
    report: Report
    version: ReportVersion | None
    created: bool  # False when the same bytes were already in the archive
    message: str


def media_type_for(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def store_file(
    data: bytes, filename: str, *, user=None, publish: bool = False, report: Report | None = None
) -> StoreOutcome:
    """Parse and store one uploaded file.

    The same bytes twice never make a second report: the outcome names the existing one.
    Parsing happens before anything is written, so a file the pipeline rejects (IngestError)
    leaves the archive unchanged. With `report`, the file becomes a new version of it.
    """
    sha256 = SourceFile.hash_bytes(data)
    duplicate = _duplicate_outcome(sha256)
    if duplicate is not None:
        return duplicate
    parsed = parse_file(data, filename)
    # Two editors may upload at the same moment: the same bytes, or two files naming a place
    # the archive has not seen. The database's unique constraints settle such races; the
    # loser retries once the winner has committed, and then finds the winner's rows.
    for attempt in range(3):
        try:
            return _store_parsed(
                data, sha256, filename, parsed, user=user, publish=publish, report=report
            )
        except IntegrityError:
            duplicate = _duplicate_outcome(sha256)
            if duplicate is not None:
                return duplicate
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _duplicate_outcome(sha256: str) -> StoreOutcome | None:
    existing = SourceFile.objects.filter(sha256=sha256).first()
    version = existing and existing.versions.select_related("report").order_by("-pk").first()
    if not version:
        return None
    return StoreOutcome(
        version.report,
        version,
        False,
        f"同一文件已在档案中 (already archived as {version.report.public_id})",
    )


def _store_parsed(
    data: bytes,
    sha256: str,
    filename: str,
    parsed: ingest.ParseResult,
    *,
    user,
    publish: bool,
    report: Report | None,
) -> StoreOutcome:
    with transaction.atomic():
        duplicate = _duplicate_outcome(sha256)  # again, now that we hold the write lock
        if duplicate is not None:
            return duplicate
        source = SourceFile.objects.filter(sha256=sha256).first() or _save_source(
            data, sha256, filename, parsed, user
        )
        is_new_report = report is None
        if report is None:
            report = Report(
                title=parsed.title or filename,
                doc_type=parsed.doc_type or DocType.OTHER,
                place=place_from_parsed(parsed.place),
                year=parsed.year,
                delivered=parsed.delivered or None,
                meeting=parsed.meeting or "",
                speaker=parsed.speaker or "",
            )
            report.save()
        version = add_version(report, source, parsed, user=user)
        log_action(
            report,
            EditorialAction.Verb.UPLOAD if is_new_report else EditorialAction.Verb.NEW_VERSION,
            user=user,
            changes={"version": version.number, "source": sha256},
            note=f"{filename}; pipeline {PIPELINE_VERSION}",
        )
        # One index change per write: publishing queues it; otherwise a new version of a
        # published report needs one of its own.
        if not (publish and publish_report(report, user=user)):
            announce_change(report)
    return StoreOutcome(report, version, True, "已保存 (stored)")


def _save_source(
    data: bytes, sha256: str, filename: str, parsed: ingest.ParseResult, user
) -> SourceFile:
    source = SourceFile(
        sha256=sha256,
        original_name=filename[:255],
        media_type=parsed.media_type or media_type_for(filename),
        size=len(data),
        encoding=parsed.encoding or "",
        uploaded_by=user,
        source_url=(parsed.source.url or "")[:500],
        source_publisher=(parsed.source.publisher or "")[:200],
        source_published=parsed.source.published or None,
    )
    name = source_upload_path(source, sha256)
    if default_storage.exists(name) and default_storage.size(name) == len(data):
        # Left by an attempt whose transaction rolled back: the name is the content's hash.
        source.file.name = name
    else:
        source.file.save(sha256, ContentFile(data), save=False)
    source.save()
    return source


def add_version(
    report: Report, source: SourceFile, parsed: ingest.ParseResult, *, user=None
) -> ReportVersion:
    """Write one immutable version with its sections, paragraphs and commitments."""
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        source=source,
        pipeline_version=PIPELINE_VERSION,
        text=parsed.text,
        warnings=list(parsed.warnings),
        created_by=user,
        parsed={
            k: v
            for k, v in parsed.to_contract().items()
            if k not in ("text", "sections", "commitments")
        },
    )
    sections = _create_sections(version, parsed)
    paragraphs = Paragraph.objects.bulk_create(
        [
            Paragraph(
                version=version,
                number=p.number,
                start=p.start,
                end=p.end,
                section=sections.get(p.section) if p.section else None,
                text_sha256=text_sha256(parsed.text[p.start : p.end]),
            )
            for p in parsed.paragraphs
        ],
        batch_size=2000,
    )
    starts = [p.start for p in paragraphs]
    Commitment.objects.bulk_create(
        [
            Commitment(
                version=version,
                section=sections.get(c.section) if c.section else None,
                paragraph=_paragraph_at(paragraphs, starts, c.start),
                indicator=c.indicator[:100],
                value=c.value,
                value_max=c.value_max,
                unit=c.unit[:30],
                qualifier=(c.qualifier or "")[:30],
                kind=c.kind,
                start=c.start,
                end=c.end,
                sentence=c.text,
                direction=c.direction,
                period=c.period,
                horizon=c.horizon,
                scope=(c.scope or "")[:100],
                baseline=c.baseline,
                normalised=c.normalised,
            )
            for c in parsed.commitments
        ]
    )
    report.current_version = version
    report.save(update_fields=["current_version", "updated_at"])
    return version


def _create_sections(version: ReportVersion, parsed: ingest.ParseResult) -> dict[str, Section]:
    """The version's sections, inserted in batches rather than one INSERT each (a 45 MB
    report has 17,000): in document order, so their ids keep that order, and then each
    child's parent set in a second pass of batched updates."""
    rows = Section.objects.bulk_create(
        [
            Section(
                version=version,
                anchor=s.anchor,
                order=order,
                level=s.level,
                number=s.number or "",
                title=s.title[:500],
                kind=s.kind,
                start=s.start,
                end=s.end,
                text_sha256=text_sha256(parsed.text[s.start : s.end]),
            )
            for order, s in enumerate(parsed.sections)
        ],
        batch_size=2000,
    )
    # A parent is the section of that anchor seen *before* the child, as the text reads.
    sections: dict[str, Section] = {}
    children = []
    for s, row in zip(parsed.sections, rows, strict=True):
        if s.parent and (parent := sections.get(s.parent)) is not None:
            row.parent = parent
            children.append(row)
        sections[s.anchor] = row
    Section.objects.bulk_update(children, ["parent"], batch_size=2000)
    return sections


def text_sha256(text: str) -> str:
    """The hash the permalink registry publishes for a piece of text (its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paragraph_at(paragraphs: list[Paragraph], starts: list[int], offset: int) -> Paragraph | None:
    """The paragraph holding `offset`. Paragraphs come in text order and do not overlap, so a
    bisection of their `starts` finds it: a scan per commitment was quadratic on a big report."""
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and paragraphs[i].start <= offset < paragraphs[i].end:
        return paragraphs[i]
    return None


def publish_report(report: Report, *, user=None) -> bool:
    """Make a draft public: one transaction with the row locked, so that two editors pressing
    "publish" at once log one publish and queue one index change. Returns False when the
    report was no longer a draft (nothing done)."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.DRAFT:
            return False
        log_action(locked, EditorialAction.Verb.PUBLISH, user=user)
        locked.status = ReportStatus.PUBLISHED
        locked.published_at = locked.published_at or timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        refresh_readable_path(locked)
        announce_change(locked)
    _copy_row(locked, report)
    return True


def _copy_row(source: Report, target: Report) -> None:
    """Give the caller's instance the values the locked, freshly read row was saved with."""
    if source is not target:
        for field in Report._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


def correct_metadata(report: Report, *, user=None, **changes) -> None:
    """An editor's correction of any metadata field (place, year, kind, title, delivery date,
    meeting, speaker, publisher): logged as "field: old → new"; the old readable URL redirects."""
    with transaction.atomic():
        # The row as it is now, locked: a correction made meanwhile by another editor is the
        # base of this one, never silently overwritten with the values this form was read with.
        locked = Report.objects.select_for_update().get(pk=report.pk)
        diff = {}
        for field, value in changes.items():
            old = getattr(locked, field)
            if old != value:
                diff[field] = [
                    str(old) if old is not None else None,
                    str(value) if value is not None else None,
                ]
            setattr(locked, field, value)
        if not diff:
            return
        log_action(locked, EditorialAction.Verb.CORRECT, user=user, changes=diff)
        locked.save()
        refresh_readable_path(locked)
        announce_change(locked)
    _copy_row(locked, report)


def matching_reports(report: Report):
    """Other citable reports of the same place, year and kind: candidates for the editor to
    file an upload under as a new version instead of a separate document."""
    if report.place_id is None or report.year is None:
        return Report.objects.none()
    return (
        Report.objects.citable()
        .filter(place=report.place, year=report.year, doc_type=report.doc_type)
        .exclude(pk=report.pk)
    )


def merge_draft_into(draft: Report, target: Report, *, user=None) -> ReportVersion:
    """File a draft's text as the next version of `target` and drop the draft.

    Only drafts can be merged: they were never public, so no permalink points at them. The
    source file is kept (as always) and the draft's log moves to the target. The text is
    parsed again with today's pipeline before any row is locked (a big file takes a minute;
    editors of the target must not wait on its lock meanwhile); the background worker runs
    this (archive.uploads.queue_merge), never a request.
    """
    source = draft.current_version.source
    parsed = parse_file(source.read_bytes(), source.original_name)
    with transaction.atomic():
        # Both rows locked, the draft first and then the target, in one order everywhere.
        draft = Report.objects.select_for_update().get(pk=draft.pk)
        target = Report.objects.select_for_update().get(pk=target.pk)
        if draft.status != ReportStatus.DRAFT:
            raise ValueError("only a draft can be filed as a new version of another report")
        if draft.current_version.source_id != source.pk:
            raise ValueError("the draft changed while it was parsed; file it again")
        version = add_version(target, source, parsed, user=user)
        EditorialAction.objects.filter(report=draft).update(report=target)
        log_action(
            target,
            EditorialAction.Verb.NEW_VERSION,
            user=user,
            changes={"version": version.number, "source": source.sha256},
            note=f"filed from draft {draft.public_id}",
        )
        Report.objects.filter(pk=draft.pk).update(current_version=None)
        ReportVersion.objects.filter(report=draft).delete()
        draft.delete()
        announce_change(target)
    return version


class UnknownPlace(ValueError):
    """A place name or code an editor typed that the gazetteer cannot settle."""


def place_from_name(value: str) -> Place:
    """The Place an editor means by a full name ("天津市和平区"), a chain of names, or a
    GB/T 2260 code — created from the shipped gazetteer if the archive has not seen it yet."""
    from archive.ingest import gazetteer

    value = value.strip()
    if value in ("中华人民共和国", "全国", "中国"):
        name, level, code = gazetteer.NATION
        return place_from_parsed(ingest.Place(name=name, level=level, code=code))
    known = (
        Place.objects.filter(code=value).first() or Place.objects.filter(full_name=value).first()
    )
    if known is not None:
        return known
    if value.isdigit():
        matches = [d for d in gazetteer._index()[1] if d.code == value.ljust(6, "0")[:6]]
    else:
        matches = gazetteer.parse_chain(value) or []
    if not matches:
        raise UnknownPlace(f"地名表中没有“{value}”。Unknown place.")
    if len(matches) > 1:
        raise UnknownPlace(
            "有多个同名地区，请填写全称："
            + "、".join(d.full_name for d in matches)
            + "。Ambiguous: give the full name."
        )
    division = matches[0]
    return place_from_parsed(
        ingest.Place(
            name=division.full_name,
            level=division.level,
            code=division.code,
            path=[(d.name, d.level, d.code) for d in division.path],
        )
    )

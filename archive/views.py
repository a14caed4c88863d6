"""Report pages, permalinks, originals, and the editors' upload and correction pages."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from archive import coverage, review
from archive.forms import MetadataForm, UploadForm
from archive.models import (
    Commitment,
    Place,
    Report,
    ReportAlias,
    ReportStatus,
    ReportVersion,
    Section,
    UploadJobState,
)
from archive.rendering import page_of_offset, page_of_paragraph, paging_for
from archive.services import (
    correct_metadata,
    matching_reports,
    publish_report,
)
from archive.uploads import accept_upload, batch_jobs, limit_mb, process_batch_now, queue_merge
from archive.views_body import PageBody, page_body
from config.http_cache import current_page, immutable_version_page, original_file, release

log = logging.getLogger(__name__)

MAX_HL_LENGTH = 200


def _visible_report(request: HttpRequest, report: Report) -> None:
    """Drafts are for editors only: to everyone else they do not exist."""
    if report.status == ReportStatus.DRAFT and not request.user.is_staff:
        raise Http404("no such report")


def _highlight_terms(request: HttpRequest) -> list[str]:
    raw = request.GET.get("hl", "")[:MAX_HL_LENGTH]
    return [t for t in raw.replace("\u3000", " ").split() if t]


# A page's commitments table: those of the page's paragraphs, up to this many rows (a page of
# a dense flattened text can hold a thousand); the rest are in the explorer and its downloads.
COMMITMENTS_PER_PAGE = 300


def _paging(version: ReportVersion, paragraphs):
    """Where the version's pages begin: a version never changes, so this is worked out once
    and kept in the shared cache (a 100,000-paragraph version: 100,000 offsets read per page
    view otherwise)."""
    key = f"report-paging:{version.pk}:{version.text_sha256}"
    paging = cache.get(key)
    if paging is None:
        paging = paging_for(paragraphs)
        cache.set(key, paging, timeout=86400)
    return paging


def page_commitments(version: ReportVersion, body: PageBody):
    commitments = version.commitments.select_related("paragraph").order_by("start")
    if body.first_number is not None:
        commitments = commitments.filter(
            paragraph__number__gte=body.first_number, paragraph__number__lte=body.last_number
        )
    return list(commitments[:COMMITMENTS_PER_PAGE])


def _render_version(
    request: HttpRequest, report: Report, version: ReportVersion, *, status: int = 200
) -> HttpResponse:
    if report.status == ReportStatus.WITHDRAWN:
        return render(request, "archive/tombstone.html", {"report": report}, status=410)
    terms = _highlight_terms(request)
    paging = _paging(version, version.paragraphs.order_by("number"))
    body = page_body(version, paging, _requested_page(request, paging, version), terms)
    context = {
        "body": body,
        "report": report,
        "version": version,
        "is_current": version.pk == report.current_version_id,
        "current": report.current_version,
        # Not select_related("version__report"): that copies the version's whole text into
        # every commitment row (a 2 MB text and 100 commitments: 200 MB read per page). The
        # related manager hands each commitment this very `version` already. Only this
        # page's commitments: a 12 MB report has 30,000, which made its page 9 MB.
        "commitments": page_commitments(version, body),
        "commitments_total": version.commitments.count(),
        "versions": report.versions.order_by("number").only("id", "report_id", "number"),
        "hl": " ".join(terms),
        "release": release()[0],
        "canonical": request.build_absolute_uri(report.get_absolute_url()),
        "breadcrumb": [*report.place.ancestors(), report.place] if report.place else [],
        "neighbours": Report.objects.published().neighbours(report),
    }
    return render(request, "archive/report_detail.html", context, status=status)


def _requested_page(request: HttpRequest, paging, version: ReportVersion) -> int:
    """?page=<n>, or ?at=<anchor> (p<k> or a section's anchor): the page that holds it. A bad
    value is page 1, never an error: these come from links and typed addresses."""
    at = request.GET.get("at", "")
    if at[:1] == "p" and at[1:].isdigit() and len(at) < 12:
        return page_of_paragraph(paging, int(at[1:]))
    if at:
        section = version.sections.filter(anchor=at[:100]).only("start").first()
        if section is not None:
            return page_of_offset(paging, section.start)
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def _with_current_version(reports):
    # The text is read only when a page of it is rendered (archive.views_body), not on every
    # view: a report's text is up to 50 MB, its cached page body a few kilobytes.
    return reports.select_related("current_version__source").defer("current_version__text")


@current_page
def report_short(request: HttpRequest, public_id: str) -> HttpResponse:
    """The short permalink /r/<id>/: the report as it is now."""
    report = get_object_or_404(
        _with_current_version(Report.objects.with_place_chain()),
        public_id=public_id,
    )
    _visible_report(request, report)
    if report.current_version is None:
        raise Http404("no text")
    return _render_version(request, report, report.current_version)


@current_page
def report_readable(request: HttpRequest, path: str) -> HttpResponse:
    """The readable permalink; paths a report had before a correction redirect (301)."""
    report = (
        _with_current_version(Report.objects.with_place_chain()).filter(readable_path=path).first()
    )
    if report is None:
        alias = get_object_or_404(ReportAlias.objects.select_related("report"), path=path)
        target = alias.report.get_absolute_url()
        if request.GET:
            target = f"{target}?{request.GET.urlencode()}"
        return redirect(target, permanent=True)
    _visible_report(request, report)
    return _render_version(request, report, report.current_version)


@immutable_version_page
def version_detail(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """One version's own URL: always shows exactly that version's text."""
    report = get_object_or_404(
        _with_current_version(Report.objects.with_place_chain()),
        public_id=public_id,
    )
    _visible_report(request, report)
    version = get_object_or_404(
        ReportVersion.objects.select_related("source").defer("text"), report=report, number=number
    )
    return _render_version(request, report, version)


REPORTS_PER_PAGE = 200


@current_page
def report_list(request: HttpRequest) -> HttpResponse:
    # Paged: an archive of ten thousand reports is not one page. A page number past the end
    # (or not a number) shows the last (or first) page rather than an error.
    reports = (
        Report.objects.published().with_place_chain().order_by("place__full_name", "-year", "pk")
    )
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "archive/report_list.html", {"reports": page, "page": page})


@current_page
def place_detail(request: HttpRequest, path: str) -> HttpResponse:
    place = Place.objects.by_slug_path(path)
    if place is None:
        moved = Place.objects.by_old_path(path)
        if moved is None:
            raise Http404("no such place")
        return redirect(moved.get_absolute_url(), permanent=True)
    reports = Report.objects.published().for_place(place).select_related("place").order_by("-year")
    children = sorted(
        place.children.annotate(
            n=Count("reports", filter=Q(reports__status=ReportStatus.PUBLISHED))
        ),
        key=coverage.administrative_order,
    )
    return render(
        request,
        "archive/place_detail.html",
        {
            "place": place,
            "reports": reports,
            "children": children,
            "strip": coverage.strip_for(place),
            "breadcrumb": place.ancestors(),
        },
    )


@current_page
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Places × years of the whole archive: which reports exist (optionally one level)."""
    level = request.GET.get("level")
    level = level if level in dict(coverage.LEVEL_CHOICES) else None
    years, rows = coverage.matrix(level)
    return render(
        request,
        "archive/coverage.html",
        {"years": years, "rows": rows, "level": level, "levels": coverage.LEVEL_CHOICES},
    )


@original_file
def source_download(request: HttpRequest, sha256: str) -> FileResponse:
    """The original file, byte for byte, under its original name."""
    version = (
        ReportVersion.objects.select_related("source", "report")
        .filter(source__sha256=sha256)
        .order_by("-pk")
        .first()
    )
    if version is None:
        raise Http404("no such file")
    if version.report.status == ReportStatus.DRAFT and not request.user.is_staff:
        raise Http404("no such file")
    source = version.source
    response = FileResponse(source.file.open("rb"), content_type=source.media_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{source.sha256}\"; filename*=UTF-8''{quote(source.original_name)}"
    )
    response["Content-Length"] = str(source.size)
    return response


@staff_member_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Stage the files and answer at once; the background worker parses them, and the batch
    page shows each file's progress (archive.uploads)."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        batch = accept_upload(
            form.cleaned_data["files"], user=request.user, publish=form.cleaned_data["publish"]
        )
        if settings.ARCHIVE_UPLOAD_INLINE:
            process_batch_now(batch)
        jobs = list(batch_jobs(batch))
        if len(jobs) == 1 and jobs[0].state == UploadJobState.DONE:
            # Parsed already (inline set-ups): straight to the report, as the batch page would.
            job = jobs[0]
            messages.add_message(
                request,
                messages.SUCCESS if "已保存" in job.message else messages.WARNING,
                f"{job.filename}: {job.message}",
            )
            if job.report.status == ReportStatus.DRAFT:
                return redirect("archive:report_review", job.report.public_id)
            return redirect(job.report.get_absolute_url())
        return redirect("archive:upload_batch", batch)
    return render(request, "archive/upload.html", {"form": form, "max_mb": limit_mb()})


@staff_member_required
def upload_batch(request: HttpRequest, batch: str) -> HttpResponse:
    """Each file of one upload: queued, parsing, done (with its review page) or failed (why)."""
    jobs = list(batch_jobs(batch))
    if not jobs:
        raise Http404("no such upload")
    pending = [j for j in jobs if not j.finished]
    return render(
        request,
        "archive/upload_batch.html",
        {
            "jobs": jobs,
            "pending": pending,
            "max_mb": limit_mb(),
            "failed": sum(j.state == UploadJobState.FAILED for j in jobs),
        },
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    form = MetadataForm(request.POST if request.method == "POST" else None, report=report)
    if request.method == "POST" and form.is_valid():
        correct_metadata(report, user=request.user, **form.changes())
        messages.success(
            request, "已更正，旧链接会自动跳转。Metadata corrected; old links redirect."
        )
        return redirect(report.get_absolute_url())
    return render(request, "archive/report_edit.html", {"form": form, "report": report})


@staff_member_required
def desk(request: HttpRequest) -> HttpResponse:
    """The editors' desk: drafts, recent uploads, warnings to resolve, recent actions."""
    return render(request, "archive/desk.html", {"desk": review.desk()})


@staff_member_required
def report_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """What the pipeline read, beside the text, for an editor to check before publishing."""
    report = get_object_or_404(
        Report.objects.select_related("place", "current_version__source"), public_id=public_id
    )
    version = report.current_version
    sections = version.sections.all() if version else Section.objects.none()
    commitments = (
        version.commitments.select_related("paragraph") if version else Commitment.objects.none()
    )
    text = version.text if version else ""
    # Bounded whatever the upload: a 45 MB text once made this page 49 MB of HTML. The editor
    # sees the counts, the first items and the start of the text; the whole is in the original
    # and on the (paged) report page.
    return render(
        request,
        "archive/report_review.html",
        {
            "report": report,
            "version": version,
            "parsed": version.parsed if version else {},
            "sections": sections[:REVIEW_MAX_ITEMS],
            "sections_total": sections.count(),
            "commitments": commitments[:REVIEW_MAX_ITEMS],
            "commitments_total": commitments.count(),
            "text": text[:REVIEW_MAX_CHARS],
            "text_total": len(text),
            "text_cut": len(text) > REVIEW_MAX_CHARS,
            "review_max_items": REVIEW_MAX_ITEMS,
            "matches": matching_reports(report),
            "actions": report.actions.select_related("user")[:50],
            "open_warnings": review.open_warnings(report),
        },
    )


REVIEW_MAX_ITEMS = 500
REVIEW_MAX_CHARS = 200_000


@staff_member_required
@require_http_methods(["POST"])
def report_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    if report.status == ReportStatus.DRAFT:
        publish_report(report, user=request.user)
        messages.success(request, "已发布，几秒内可检索。Published; searchable in a few seconds.")
    return redirect(report.get_absolute_url())


@staff_member_required
@require_http_methods(["POST"])
def report_merge(request: HttpRequest, public_id: str) -> HttpResponse:
    """File a draft as a new version of an existing report (the editor's choice)."""
    draft = get_object_or_404(Report, public_id=public_id, status=ReportStatus.DRAFT)
    target = get_object_or_404(matching_reports(draft), public_id=request.POST.get("target", ""))
    batch = queue_merge(draft, target, user=request.user)
    if settings.ARCHIVE_UPLOAD_INLINE:
        process_batch_now(batch)
    return redirect("archive:upload_batch", batch)


@staff_member_required
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """Gazetteer names for the editors' place field: full names and codes matching what was
    typed, places already in the archive first."""
    from archive.ingest import gazetteer

    typed = request.GET.get("q", "").strip()[:40]
    if not typed:
        return JsonResponse({"places": []})
    known = [
        {"name": p.full_name, "code": p.code}
        for p in Place.objects.filter(full_name__contains=typed).order_by("full_name")[:10]
    ]
    seen = {p["name"] for p in known}
    found = [
        {"name": d.full_name, "code": d.code}
        for d in gazetteer.suggest(typed, limit=20)
        if d.full_name not in seen
    ]
    return JsonResponse({"places": (known + found)[:20]})

"""Report pages, permalinks, originals, and the editors' upload and correction pages."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from archive import coverage, review
from archive.forms import MetadataForm, UploadForm
from archive.ingest.result import IngestError
from archive.models import Place, Report, ReportAlias, ReportStatus, ReportVersion
from archive.rendering import Block, build_blocks
from archive.services import (
    correct_metadata,
    matching_reports,
    merge_draft_into,
    publish_report,
    store_file,
)

log = logging.getLogger(__name__)

MAX_HL_LENGTH = 200


def _visible_report(request: HttpRequest, report: Report) -> None:
    """Drafts are for editors only: to everyone else they do not exist."""
    if report.status == ReportStatus.DRAFT and not request.user.is_staff:
        raise Http404("no such report")


def _highlight_terms(request: HttpRequest) -> list[str]:
    raw = request.GET.get("hl", "")[:MAX_HL_LENGTH]
    return [t for t in raw.replace("\u3000", " ").split() if t]


def _render_version(request: HttpRequest, report: Report, version: ReportVersion, *,
                    status: int = 200) -> HttpResponse:
    if report.status == ReportStatus.WITHDRAWN:
        return render(request, "archive/tombstone.html", {"report": report}, status=410)
    sections = list(version.sections.all())
    paragraphs = list(version.paragraphs.all())
    terms = _highlight_terms(request)
    if paragraphs:
        blocks = build_blocks(version.text, paragraphs, sections, terms)
    else:  # a text the pipeline found no paragraphs in is still shown whole
        blocks = [Block(number=1, pieces=[(version.text, False)])]
    context = {
        "report": report,
        "version": version,
        "is_current": version.pk == report.current_version_id,
        "current": report.current_version,
        "sections": sections,
        "blocks": blocks,
        "commitments": version.commitments.select_related("paragraph", "version__report"),
        "versions": report.versions.order_by("number"),
        "hl": " ".join(terms),
        "canonical": request.build_absolute_uri(report.get_absolute_url()),
        "breadcrumb": [*report.place.ancestors(), report.place] if report.place else [],
        "neighbours": Report.objects.published().neighbours(report),
    }
    return render(request, "archive/report_detail.html", context, status=status)


def report_short(request: HttpRequest, public_id: str) -> HttpResponse:
    """The short permalink /r/<id>/: the report as it is now."""
    report = get_object_or_404(Report.objects.select_related("place", "current_version"),
                               public_id=public_id)
    _visible_report(request, report)
    if report.current_version is None:
        raise Http404("no text")
    return _render_version(request, report, report.current_version)


def report_readable(request: HttpRequest, path: str) -> HttpResponse:
    """The readable permalink; paths a report had before a correction redirect (301)."""
    report = Report.objects.select_related("place", "current_version").filter(
        readable_path=path).first()
    if report is None:
        alias = get_object_or_404(ReportAlias.objects.select_related("report"), path=path)
        target = alias.report.get_absolute_url()
        if request.GET:
            target = f"{target}?{request.GET.urlencode()}"
        return redirect(target, permanent=True)
    _visible_report(request, report)
    return _render_version(request, report, report.current_version)


def version_detail(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """One version's own URL: always shows exactly that version's text."""
    report = get_object_or_404(Report.objects.select_related("place", "current_version"),
                               public_id=public_id)
    _visible_report(request, report)
    version = get_object_or_404(ReportVersion, report=report, number=number)
    return _render_version(request, report, version)


REPORTS_PER_PAGE = 200


def report_list(request: HttpRequest) -> HttpResponse:
    # Paged: an archive of ten thousand reports is not one page. A page number past the end
    # (or not a number) shows the last (or first) page rather than an error.
    reports = (Report.objects.published().select_related("place")
               .order_by("place__full_name", "-year", "pk"))
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "archive/report_list.html", {"reports": page, "page": page})


def place_detail(request: HttpRequest, path: str) -> HttpResponse:
    place = Place.objects.by_slug_path(path)
    if place is None:
        moved = Place.objects.by_old_path(path)
        if moved is None:
            raise Http404("no such place")
        return redirect(moved.get_absolute_url(), permanent=True)
    reports = Report.objects.published().for_place(place).select_related("place").order_by("-year")
    children = sorted(
        place.children.annotate(n=Count("reports", filter=Q(reports__status=ReportStatus.PUBLISHED))),
        key=coverage.administrative_order)
    return render(request, "archive/place_detail.html", {
        "place": place, "reports": reports, "children": children,
        "strip": coverage.strip_for(place), "breadcrumb": place.ancestors()})


def coverage_page(request: HttpRequest) -> HttpResponse:
    """Places × years of the whole archive: which reports exist (optionally one level)."""
    level = request.GET.get("level")
    level = level if level in dict(coverage.LEVEL_CHOICES) else None
    years, rows = coverage.matrix(level)
    return render(request, "archive/coverage.html", {
        "years": years, "rows": rows, "level": level, "levels": coverage.LEVEL_CHOICES})


def source_download(request: HttpRequest, sha256: str) -> FileResponse:
    """The original file, byte for byte, under its original name."""
    version = (ReportVersion.objects.select_related("source", "report")
               .filter(source__sha256=sha256).order_by("-pk").first())
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
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        stored = []
        for uploaded in form.cleaned_data["files"]:
            try:
                outcome = store_file(uploaded.read(), uploaded.name, user=request.user,
                                     publish=form.cleaned_data["publish"])
            except IngestError as e:
                messages.error(request, f"{uploaded.name}: {e}")
                continue
            level = messages.SUCCESS if outcome.created else messages.WARNING
            messages.add_message(request, level, f"{uploaded.name}: {outcome.message}")
            stored.append(outcome.report)
        if len(stored) == 1:
            report = stored[0]
            if report.status == ReportStatus.DRAFT:
                return redirect("archive:report_review", report.public_id)
            return redirect(report.get_absolute_url())
        return redirect("archive:upload")
    max_mb = settings.ARCHIVE_MAX_UPLOAD_BYTES // 1_000_000
    return render(request, "archive/upload.html", {"form": form, "max_mb": max_mb})


@staff_member_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    form = MetadataForm(request.POST if request.method == "POST" else None, report=report)
    if request.method == "POST" and form.is_valid():
        correct_metadata(report, user=request.user, **form.changes())
        messages.success(request, "已更正，旧链接会自动跳转。Metadata corrected; old links redirect.")
        return redirect(report.get_absolute_url())
    return render(request, "archive/report_edit.html", {"form": form, "report": report})


@staff_member_required
def desk(request: HttpRequest) -> HttpResponse:
    """The editors' desk: drafts, recent uploads, warnings to resolve, recent actions."""
    return render(request, "archive/desk.html", {"desk": review.desk()})


@staff_member_required
def report_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """What the pipeline read, beside the text, for an editor to check before publishing."""
    report = get_object_or_404(Report.objects.select_related("place", "current_version__source"),
                               public_id=public_id)
    version = report.current_version
    return render(request, "archive/report_review.html", {
        "report": report,
        "version": version,
        "parsed": version.parsed if version else {},
        "sections": version.sections.all() if version else [],
        "commitments": version.commitments.select_related("paragraph") if version else [],
        "matches": matching_reports(report),
        "actions": report.actions.select_related("user")[:50],
        "open_warnings": review.open_warnings(report),
    })


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
    version = merge_draft_into(draft, target, user=request.user)
    messages.success(request, f"已作为第 {version.number} 版归入。Filed as version {version.number}.")
    return redirect(version.get_absolute_url())


@staff_member_required
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """Gazetteer names for the editors' place field: full names and codes matching what was
    typed, places already in the archive first."""
    from archive.ingest import gazetteer

    typed = request.GET.get("q", "").strip()[:40]
    if not typed:
        return JsonResponse({"places": []})
    known = [{"name": p.full_name, "code": p.code}
             for p in Place.objects.filter(full_name__contains=typed).order_by("full_name")[:10]]
    seen = {p["name"] for p in known}
    found = [{"name": d.full_name, "code": d.code}
             for d in gazetteer.suggest(typed, limit=20) if d.full_name not in seen]
    return JsonResponse({"places": (known + found)[:20]})

"""Citation downloads, the versions list and diff, the permalink registry, and withdraw/restore.

Formatting lives in archive.citations (no Django); this module only turns models into a
`citations.Work` and answers requests. Every view that shows a report's text honours the
permalink promise: a withdrawn report answers 410 with its tombstone, never 404.
"""

from __future__ import annotations

import difflib

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from archive import citations, registry
from archive.citing import work_for
from archive.models import (
    Paragraph,
    Report,
    ReportStatus,
    ReportVersion,
    Section,
)
from archive.rendering import paging_for
from archive.withdrawals import WithdrawalError, restore_report, withdraw_report
from config.http_cache import current_page, immutable_version_page, version_citation


def _citable_report(request: HttpRequest, public_id: str) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("place", "current_version"), public_id=public_id
    )
    if report.status == ReportStatus.DRAFT and not request.user.is_staff:
        raise Http404("no such report")
    if report.current_version is None:
        raise Http404("no text")
    return report


def _tombstone(request: HttpRequest, report: Report) -> HttpResponse:
    return render(request, "archive/tombstone.html", {"report": report}, status=410)


def _citation_response(work: citations.Work, fmt: str) -> HttpResponse:
    if fmt not in citations.FORMATS:
        raise Http404("unknown citation format")
    response = HttpResponse(
        citations.render(work, fmt), content_type=citations.FORMATS[fmt].content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{citations.filename(work, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Citation downloads -----------------------------------------------------------------------
# Citations stay available for withdrawn reports: a researcher may still need to cite what
# they read, and the tombstone carries the same citation.


@require_GET
@current_page
def cite_report(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    """The report as it is now, cited by its short link with the version read."""
    report = _citable_report(request, public_id)
    return _citation_response(
        work_for(request, report, report.current_version, versionless=True), fmt
    )


@require_GET
@version_citation
def cite_version(request: HttpRequest, public_id: str, number: int, fmt: str) -> HttpResponse:
    report = _citable_report(request, public_id)
    version = get_object_or_404(
        ReportVersion.objects.select_related("source"), report=report, number=number
    )
    return _citation_response(work_for(request, report, version), fmt)


@require_GET
@version_citation
def cite_section(
    request: HttpRequest, public_id: str, number: int, anchor: str, fmt: str
) -> HttpResponse:
    report = _citable_report(request, public_id)
    section = get_object_or_404(
        Section.objects.select_related("version__source"),
        version__report=report,
        version__number=number,
        anchor=anchor,
    )
    return _citation_response(work_for(request, report, section.version, section=section), fmt)


@require_GET
@version_citation
def cite_paragraph(
    request: HttpRequest, public_id: str, number: int, paragraph: int, fmt: str
) -> HttpResponse:
    report = _citable_report(request, public_id)
    para = get_object_or_404(
        Paragraph.objects.select_related("version__source"),
        version__report=report,
        version__number=number,
        number=paragraph,
    )
    return _citation_response(work_for(request, report, para.version, paragraph=para), fmt)


@require_GET
@immutable_version_page
def section_redirect(request: HttpRequest, public_id: str, number: int, anchor: str):
    """/r/<id>/v<n>/s1-2/: a section permalink usable where '#' anchors get lost."""
    report = _citable_report(request, public_id)
    get_object_or_404(Section, version__report=report, version__number=number, anchor=anchor)
    return _to_anchor(report, number, anchor)


@require_GET
@immutable_version_page
def paragraph_redirect(request: HttpRequest, public_id: str, number: int, paragraph: int):
    """/r/<id>/v<n>/p<k>/: a paragraph permalink usable where '#' anchors get lost."""
    report = _citable_report(request, public_id)
    get_object_or_404(Paragraph, version__report=report, version__number=number, number=paragraph)
    return _to_anchor(report, number, f"p{paragraph}")


def _to_anchor(report: Report, number: int, anchor: str) -> HttpResponse:
    url = reverse("archive:version", args=[report.public_id, number])
    # A report longer than one page (archive.rendering) is opened at the page holding the
    # anchor; a report of one page keeps the plain address it always had.
    paragraphs = Paragraph.objects.filter(version__report=report, version__number=number)
    if paging_for(paragraphs.order_by("number")).count > 1:
        url = f"{url}?at={anchor}"
    return redirect(f"{url}#{anchor}")


# --- Versions and diff ------------------------------------------------------------------------


@require_GET
@current_page
def versions_list(request: HttpRequest, public_id: str) -> HttpResponse:
    report = _citable_report(request, public_id)
    if report.status == ReportStatus.WITHDRAWN:
        return _tombstone(request, report)
    versions = list(report.versions.select_related("source").order_by("number"))
    for previous, version in zip([None, *versions[:-1]], versions, strict=True):
        version.previous = previous
        version.text_changed = previous is not None and previous.text_sha256 != version.text_sha256
    return render(request, "archive/versions.html", {"report": report, "versions": versions})


def paragraph_texts(version: ReportVersion) -> list[tuple[int, str]]:
    """(number, text) of each paragraph; a text without paragraphs is one paragraph."""
    spans = list(version.paragraphs.values_list("number", "start", "end"))
    if not spans:
        return [(1, version.text)]
    return [(number, version.text[start:end]) for number, start, end in spans]


def _inline_diff(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Character-level pieces (text, changed) of two paragraphs that replace each other."""
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append((a[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append((b[j1:j2], tag != "equal"))
    return left, right


def diff_rows(old: list[tuple[int, str]], new: list[tuple[int, str]]) -> list[dict]:
    """Side-by-side rows of a paragraph diff. Pieces are plain text: the template escapes."""
    rows = []
    matcher = difflib.SequenceMatcher(
        None, [t for _, t in old], [t for _, t in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (ln, lt), (rn, rt) in zip(old[i1:i2], new[j1:j2], strict=True):
                rows.append(
                    {
                        "tag": "equal",
                        "left": ln,
                        "right": rn,
                        "left_pieces": [(lt, False)],
                        "right_pieces": [(rt, False)],
                    }
                )
            continue
        lefts, rights = old[i1:i2], new[j1:j2]
        for k in range(max(len(lefts), len(rights))):
            lp = lefts[k] if k < len(lefts) else None
            rp = rights[k] if k < len(rights) else None
            if lp and rp:
                left_pieces, right_pieces = _inline_diff(lp[1], rp[1])
                kind = "replace"
            else:
                left_pieces = [(lp[1], True)] if lp else []
                right_pieces = [(rp[1], True)] if rp else []
                kind = "delete" if lp else "insert"
            rows.append(
                {
                    "tag": kind,
                    "left": lp[0] if lp else None,
                    "right": rp[0] if rp else None,
                    "left_pieces": left_pieces,
                    "right_pieces": right_pieces,
                }
            )
    return rows


@require_GET
@current_page
def version_diff(request: HttpRequest, public_id: str, a: int, b: int) -> HttpResponse:
    report = _citable_report(request, public_id)
    if report.status == ReportStatus.WITHDRAWN:
        return _tombstone(request, report)
    old = get_object_or_404(ReportVersion, report=report, number=a)
    new = get_object_or_404(ReportVersion, report=report, number=b)
    rows = diff_rows(paragraph_texts(old), paragraph_texts(new))
    changed = sum(1 for r in rows if r["tag"] != "equal")
    return render(
        request,
        "archive/diff.html",
        {"report": report, "old": old, "new": new, "rows": rows, "changed": changed},
    )


@require_GET
def version_diff_pick(request: HttpRequest, public_id: str):
    """The versions page's form (?a=1&b=2) lands on the diff's own URL."""
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        return redirect("archive:versions", public_id)
    return redirect("archive:diff", public_id, a, b)


# --- Permalink registry -----------------------------------------------------------------------


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _registry_response(
    request: HttpRequest, fmt: str, content_type: str, disposition: str
) -> HttpResponse:
    path, chunks, current = registry.cached_or_building(fmt, _base(request))
    if path is not None:
        response = FileResponse(path.open("rb"), content_type=content_type)
    else:
        response = StreamingHttpResponse(chunks, content_type=content_type)
    if not current:
        # the newest built file, from before the latest change: the background worker is
        # building the registry of the current data
        response["X-Registry-State"] = "rebuilding"
    response["Content-Disposition"] = f'{disposition}; filename="permalinks.{fmt}"'
    return response


@require_GET
def permalinks_csv(request: HttpRequest) -> HttpResponse:
    return _registry_response(request, "csv", "text/csv; charset=utf-8", "attachment")


@require_GET
def permalinks_json(request: HttpRequest) -> HttpResponse:
    return _registry_response(request, "json", "application/json; charset=utf-8", "inline")


# --- Withdraw and restore (editors) -----------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )


@staff_member_required
@require_POST
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise WithdrawalError("; ".join(e for errs in form.errors.values() for e in errs))
        withdraw_report(report, user=request.user, reason=form.cleaned_data["reason"])
    except WithdrawalError as e:
        messages.error(request, str(e))
        return redirect(report.get_short_url())
    messages.success(
        request, "已撤回；所有永久链接显示撤回说明 (410)。Withdrawn: permalinks show a tombstone."
    )
    return redirect(report.get_short_url())


@staff_member_required
@require_POST
def restore(request: HttpRequest, public_id: str) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    form = ReasonForm(request.POST)
    try:
        restore_report(
            report, user=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    except WithdrawalError as e:
        messages.error(request, str(e))
        return redirect(report.get_short_url())
    messages.success(request, "已恢复。Restored.")
    return redirect(report.get_short_url())

"""What an editor still has to look at: the pipeline's warnings about a report, less those a
correction has since settled (a place warning once the editor set the place), and the desk's
lists of drafts, recent uploads and recent actions."""

from __future__ import annotations

from dataclasses import dataclass

from archive.models import EditorialAction, Report, ReportStatus, ReportVersion, SourceFile

# Which metadata field a warning is about, told by its words (the pipeline writes them in
# Chinese with an English gloss). A warning about a field an editor has corrected is settled.
WARNING_FIELDS = {
    "place": ("地点", "地名", "行政区划", "place"),
    "year": ("年份", "year"),
    "delivered": ("日期", "date"),
    "meeting": ("会议", "meeting"),
}


def warning_field(warning: str) -> str | None:
    text = warning.lower()
    return next((f for f, words in WARNING_FIELDS.items() if any(w in text for w in words)), None)


def corrected_fields(report: Report) -> set[str]:
    fields: set[str] = set()
    for changes in report.actions.filter(verb=EditorialAction.Verb.CORRECT).values_list(
        "changes", flat=True
    ):
        fields.update(changes or {})
    return fields


def open_warnings(report: Report) -> list[str]:
    """The current version's warnings that no correction has settled."""
    version = report.current_version
    if version is None:
        return []
    settled = corrected_fields(report)
    return [w for w in version.warnings if warning_field(w) not in settled]


@dataclass
class Desk:
    drafts: list[Report]
    uploads: list[tuple[SourceFile, list[Report]]]
    to_resolve: list[tuple[Report, list[str]]]
    actions: list[EditorialAction]


def desk(limit: int = 30) -> Desk:
    """The editors' desk: drafts to review, recent uploads, warnings to resolve, recent acts."""
    drafts = list(
        Report.objects.filter(status=ReportStatus.DRAFT)
        .select_related("place", "current_version__source")
        .order_by("-created_at")[: limit * 4]
    )
    sources = list(SourceFile.objects.order_by("-uploaded_at", "-pk")[:limit])
    reports_of: dict[int, list[Report]] = {}
    for version in ReportVersion.objects.filter(source__in=sources).select_related("report__place"):
        if version.report not in reports_of.setdefault(version.source_id, []):
            reports_of[version.source_id].append(version.report)
    uploads = [(s, reports_of.get(s.pk, [])) for s in sources]
    candidates = (
        Report.objects.exclude(status=ReportStatus.WITHDRAWN)
        .exclude(current_version=None)
        .select_related("place", "current_version")
        .order_by("-updated_at")
    )
    to_resolve = []
    for report in candidates.iterator():
        if not report.current_version.warnings:
            continue
        remaining = open_warnings(report)
        if remaining:
            to_resolve.append((report, remaining))
            if len(to_resolve) >= limit:
                break
    actions = list(EditorialAction.objects.select_related("report", "user")[:limit])
    return Desk(drafts=drafts, uploads=uploads, to_resolve=to_resolve, actions=actions)

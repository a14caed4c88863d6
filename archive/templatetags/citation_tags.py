"""Citation box, Highwire `citation_*` meta tags and the cited-version notice for report pages
and tombstones. The report views stay as they are: these tags read `report`, `version` and
`request` from the page's context."""

from __future__ import annotations

from django import template
from django.urls import reverse

from archive import citations
from archive.citing import author_for, work_for
from archive.models import ReportVersion

register = template.Library()


def _version(context) -> ReportVersion | None:
    report = context.get("report")
    return context.get("version") or (report.current_version if report else None)


def _is_version_url(context, version: ReportVersion) -> bool:
    request = context.get("request")
    return bool(request) and request.path == version.get_absolute_url()


@register.inclusion_tag("archive/citations/meta.html", takes_context=True)
def citation_meta(context) -> dict:
    """Highwire Press tags as Zotero's Embedded Metadata translator reads them."""
    report = context["report"]
    if report.delivered:
        published = report.delivered.strftime("%Y/%m/%d")
    else:
        published = str(report.year) if report.year else ""
    return {
        "report": report,
        "author": author_for(report.place),
        "published": published,
        "canonical": context.get("canonical", ""),
        "archive": citations.ARCHIVE_NAME,
    }


@register.inclusion_tag("archive/citations/box.html", takes_context=True)
def citation_box(context, tombstone: bool = False) -> dict:
    """Every format of the citation of the page's report, ready to copy or download.

    On a version's own URL the version URL is cited; on the short or readable link, the short
    link with a ?v= hint (it follows corrections and still says which text was read)."""
    request, report = context["request"], context["report"]
    version = _version(context)
    if version is None:
        return {"formats": []}
    versionless = not _is_version_url(context, version)
    work = work_for(request, report, version, versionless=versionless)
    pid = report.public_id
    if versionless:
        download = lambda fmt: reverse("archive:cite_report", args=[pid, fmt])  # noqa: E731
    else:
        download = lambda fmt: reverse("archive:cite_version", args=[pid, version.number, fmt])  # noqa: E731
    formats = [
        {
            "slug": f.slug,
            "label": f.label,
            "text": citations.render(work, f.slug),
            "download": download(f.slug),
            "filename": citations.filename(work, f.slug),
        }
        for f in citations.FORMATS.values()
    ]
    return {
        "formats": formats,
        "report": report,
        "version": version,
        "work": work,
        "tombstone": tombstone,
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "cite_base": reverse("archive:version", args=[pid, version.number]),
        "versions_url": reverse("archive:versions", args=[pid]),
    }


@register.inclusion_tag("archive/citations/notice.html", takes_context=True)
def cited_version_notice(context) -> dict:
    """A version-less link citing version n (?v=n) while the report now shows another: say
    whether the text changed since, and link to the cited version (the page's #anchor is
    carried over by cite.js)."""
    request, report = context["request"], context["report"]
    version = _version(context)
    raw = request.GET.get("v", "") if request else ""
    if not raw.isdigit() or version is None or int(raw) == version.number:
        return {"show": False}
    cited = report.versions.filter(number=int(raw)).first()
    if cited is None:
        return {"show": True, "missing": True, "number": raw, "version": version}
    return {
        "show": True,
        "cited": cited,
        "version": version,
        "report": report,
        "changed": cited.text_sha256 != version.text_sha256,
    }

"""From models to a `citations.Work`: the citation data of a report, a section or a paragraph
as read in one version. Used by the citation downloads (archive.citation_views) and by the
citation box and meta tags of the report pages (archive.templatetags.citation_tags).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from archive import citations
from archive.models import Paragraph, Place, PlaceLevel, Report, ReportVersion, Section


def author_for(place: Place | None) -> str | None:
    """The corporate author of a work report: the place's people's government; the State
    Council for the national report; None (cited as 佚名) when the place is unknown."""
    if place is None:
        return None
    if place.level == PlaceLevel.NATIONAL:
        return "中华人民共和国国务院"
    return f"{place.full_name}人民政府"


CJK_NUMERALS = set("〇零一二三四五六七八九十百千")


def section_label(number: str | None, title: str) -> str:
    """A section as a report writes its heading: "一、区域经济…", "（二）…", "3 …"."""
    if not number or title.startswith(number):
        return title
    if set(number) <= CJK_NUMERALS:
        return f"{number}、{title}"
    if number.endswith((")", "）", "]", "】")):
        return f"{number}{title}"
    return f"{number} {title}"


def work_for(
    request: HttpRequest,
    report: Report,
    version: ReportVersion,
    *,
    section: Section | None = None,
    paragraph: Paragraph | None = None,
    versionless: bool = False,
    accessed: date | None = None,
) -> citations.Work:
    """The citation data of a report (optionally of one section or paragraph) as read in
    `version`. A report cited `versionless` points at its short link with a ?v= hint, so the
    link follows corrections yet tells the reader which text was cited; parts always point at
    their version's immutable URL."""
    pid, n = report.public_id, version.number
    if paragraph is not None:
        path = reverse("archive:paragraph", args=[pid, n, paragraph.number])
        key, part, kind = f"{pid}-v{n}-p{paragraph.number}", f"第{paragraph.number}段", "paragraph"
    elif section is not None:
        title = section_label(section.number, section.title)
        path = reverse(
            "archive:section", kwargs={"public_id": pid, "number": n, "anchor": section.anchor}
        )
        key, part, kind = f"{pid}-v{n}-{section.anchor}", title, "section"
    elif versionless:
        path = f"{reverse('archive:report_short', args=[pid])}?v={n}"
        key, part, kind = f"{pid}-v{n}", None, "report"
    else:
        path = reverse("archive:version", args=[pid, n])
        key, part, kind = f"{pid}-v{n}", None, "report"
    source = version.source
    return citations.Work(
        report_title=report.title,
        url=request.build_absolute_uri(path),
        accessed=accessed or timezone.localdate(),
        key=key,
        author=author_for(report.place),
        place=report.place.full_name if report.place else None,
        year=report.year,
        issued=report.delivered,
        part=part,
        part_kind=kind,
        version=n,
        source_url=source.source_url,
        source_publisher=report.publisher or source.source_publisher,
    )  # an editor's correction first

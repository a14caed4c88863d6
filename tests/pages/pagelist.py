"""Every page template of the archive, as a URL on the `seeded` archive: what the layout and
accessibility checks visit. A new page template belongs here."""

from __future__ import annotations

from urllib.parse import quote

from archive.models import Commitment, Place, Report


def reader_pages() -> dict[str, str]:
    """name -> path of every page a reader can open."""
    hailaer = Report.objects.published().filter(place__name="海拉尔区").order_by("year")
    report = hailaer.first()
    version = report.versions.order_by("number").first()
    seed = Report.objects.published().filter(place__full_name__startswith="天津市").first()
    place = Place.objects.get(name="海拉尔区")
    q = quote("营商环境")
    return {
        "home": "/",
        "search_list": f"/search/?q={q}",
        "search_grid": f"/search/?q={q}&view=grid",
        "search_empty": f"/search/?q={quote('没有这个词的段落啊')}",
        "search_error": f"/search/?q={quote('(营商环境')}",
        "trend": f"/search/trend/?q={quote('营商环境 发展')}",
        "trend_by_place": f"/search/trend/?q={quote('营商环境')}&by_place=1",
        "help": "/search/help/",
        "report_list": "/reports/",
        "report": f"{report.get_absolute_url()}?hl={quote('发展')}",
        "report_seed": seed.get_absolute_url(),
        "version": version.get_absolute_url(),
        "versions": f"/r/{report.public_id}/versions/",
        "tombstone": Report.objects.get(status="withdrawn").get_absolute_url(),
        "diff": f"/r/{report.public_id}/diff/1/2/",
        "place": place.get_absolute_url(),
        "place_nation": Place.objects.get(level="national").get_absolute_url(),
        "coverage": "/coverage/",
        "coverage_provinces": "/coverage/?level=province",
        "commitments": "/commitments/",
        "pivot": f"/commitments/pivot/?indicator={quote('地区生产总值')}",
        "methods": "/commitments/methods/",
        "indicators": "/indicators/",
        "track_record": f"/track-record/{place.slug_path}/",
    }


def editor_pages() -> dict[str, str]:
    """name -> path of the pages only staff see."""
    report = Report.objects.published().filter(place__name="海拉尔区").order_by("year").first()
    commitment = Commitment.objects.filter(version__report=report).first()
    return {
        "desk": "/desk/",
        "upload": "/upload/",
        "edit": f"/r/{report.public_id}/edit/",
        "review": f"/r/{report.public_id}/review/",
        "commitment_correct": f"/commitments/{commitment.pk}/correct/",
    }

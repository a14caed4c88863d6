"""sitemap.xml (django.contrib.sitemaps): every published report's readable permalink, each of
its versions' own URLs, every place page and the archive's fixed pages. Paragraph and section
permalinks are anchors or redirects within those pages, so they are not listed separately."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from archive.models import Place, Report, ReportStatus, ReportVersion


class ReportSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Report.objects.published().order_by("public_id")

    def lastmod(self, report: Report):
        return report.updated_at


class VersionSitemap(Sitemap):
    changefreq = "never"  # a version's text never changes
    priority = 0.5
    limit = 5000

    def items(self):
        return (
            ReportVersion.objects.filter(report__status=ReportStatus.PUBLISHED)
            .select_related("report")
            .order_by("report__public_id", "number")
        )

    def lastmod(self, version: ReportVersion):
        return version.created_at


class PlaceSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 5000

    def items(self):
        with_reports = Report.objects.published().values("place")
        return Place.objects.filter(pk__in=with_reports).order_by("full_name")


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return [
            "search:home",
            "search:help",
            "archive:report_list",
            "archive:coverage",
            "explorer:commitments",
            "explorer:methods",
            "explorer:indicators",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "reports": ReportSitemap,
    "versions": VersionSitemap,
    "places": PlaceSitemap,
    "pages": PageSitemap,
}

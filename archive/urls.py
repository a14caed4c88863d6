from django.urls import path, re_path, register_converter

from archive import citation_views, converters, views
from archive.models import PUBLIC_ID_PATTERN

register_converter(converters.ReadablePathConverter, "readable")
register_converter(converters.PublicIdConverter, "pid")

# A section's anchor: s1, s2-3, s2-3-1 (archive.ingest.structure numbers them).
ANCHOR = r"s[0-9]+(?:-[0-9]+)*"

app_name = "archive"
urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<readable:path>/", views.report_readable, name="report_readable"),
    path("r/<pid:public_id>/", views.report_short, name="report_short"),
    path("r/<pid:public_id>/v<int:number>/", views.version_detail, name="version"),
    path(
        "r/<pid:public_id>/v<int:number>/p<int:paragraph>/",
        citation_views.paragraph_redirect,
        name="paragraph",
    ),
    path("r/<pid:public_id>/edit/", views.report_edit, name="report_edit"),
    path("r/<pid:public_id>/review/", views.report_review, name="report_review"),
    path("r/<pid:public_id>/publish/", views.report_publish, name="report_publish"),
    path("r/<pid:public_id>/merge/", views.report_merge, name="report_merge"),
    path("places/<readable:path>/", views.place_detail, name="place"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("sources/<str:sha256>/", views.source_download, name="source_download"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:batch>/", views.upload_batch, name="upload_batch"),
    path("desk/", views.desk, name="desk"),
    path("places.json", views.place_suggestions, name="place_suggestions"),
    # Citations, versions, diff, permalink registry, withdraw/restore.
    path("r/<pid:public_id>/cite/<slug:fmt>/", citation_views.cite_report, name="cite_report"),
    path(
        "r/<pid:public_id>/v<int:number>/cite/<slug:fmt>/",
        citation_views.cite_version,
        name="cite_version",
    ),
    path(
        "r/<pid:public_id>/v<int:number>/p<int:paragraph>/cite/<slug:fmt>/",
        citation_views.cite_paragraph,
        name="cite_paragraph",
    ),
    re_path(
        rf"^r/(?P<public_id>{PUBLIC_ID_PATTERN})/v(?P<number>[0-9]+)/(?P<anchor>{ANCHOR})/$",
        citation_views.section_redirect,
        name="section",
    ),
    re_path(
        rf"^r/(?P<public_id>{PUBLIC_ID_PATTERN})/v(?P<number>[0-9]+)/(?P<anchor>{ANCHOR})"
        r"/cite/(?P<fmt>[-a-z0-9]+)/$",
        citation_views.cite_section,
        name="cite_section",
    ),
    path("r/<pid:public_id>/versions/", citation_views.versions_list, name="versions"),
    path("r/<pid:public_id>/diff/", citation_views.version_diff_pick, name="diff_pick"),
    path("r/<pid:public_id>/diff/<int:a>/<int:b>/", citation_views.version_diff, name="diff"),
    path("r/<pid:public_id>/withdraw/", citation_views.withdraw, name="withdraw"),
    path("r/<pid:public_id>/restore/", citation_views.restore, name="restore"),
    path("permalinks.csv", citation_views.permalinks_csv, name="permalinks_csv"),
    path("permalinks.json", citation_views.permalinks_json, name="permalinks_json"),
]

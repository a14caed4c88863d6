from django.urls import path, register_converter

from archive import converters, views

register_converter(converters.ReadablePathConverter, "readable")
register_converter(converters.PublicIdConverter, "pid")

app_name = "archive"
urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<readable:path>/", views.report_readable, name="report_readable"),
    path("r/<pid:public_id>/", views.report_short, name="report_short"),
    path("r/<pid:public_id>/v<int:number>/", views.version_detail, name="version"),
    path("r/<pid:public_id>/v<int:number>/p<int:paragraph>/", views.paragraph_redirect,
         name="paragraph"),
    path("r/<pid:public_id>/edit/", views.report_edit, name="report_edit"),
    path("r/<pid:public_id>/review/", views.report_review, name="report_review"),
    path("r/<pid:public_id>/publish/", views.report_publish, name="report_publish"),
    path("r/<pid:public_id>/merge/", views.report_merge, name="report_merge"),
    path("places/<readable:path>/", views.place_detail, name="place"),
    path("sources/<str:sha256>/", views.source_download, name="source_download"),
    path("upload/", views.upload, name="upload"),
]

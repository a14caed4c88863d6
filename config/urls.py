"""Top-level URLs: the archive's pages, search, and the staff admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("search.urls")),
    path("", include("archive.urls")),
]

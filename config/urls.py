"""Top-level URLs: the archive's pages, search, the staff admin, and the health check."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("feeds.urls")),
    path("", include("search.urls")),
    path("", include("archive.urls")),
    path("", include("explorer.urls")),
]

# Error pages in the site's own layout (config/errors.py), never the framework's.
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

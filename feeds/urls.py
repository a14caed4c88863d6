from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

import archive.urls  # noqa: F401  (registers the "readable" path converter used below)
from feeds import views
from feeds.sitemaps import SITEMAPS

app_name = "feeds"
urlpatterns = [
    path("search/feed/", views.search_feed, name="search"),
    path("places/<readable:path>/feed/", views.place_feed, name="place"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "feeds:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]

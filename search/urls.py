from django.urls import path

from config.http_cache import current_page, release_page
from search import views

# Search pages answer for the archive as it is now: their validators follow the data and the
# index version, so a revalidation after nothing changed is a 304 without running the query.
app_name = "search"
urlpatterns = [
    path("", current_page(views.search_page), name="home"),
    path("search/", current_page(views.search_page), name="search"),
    path("search/help/", release_page(views.help_page), name="help"),
    path("search/trend/", current_page(views.trend_page), name="trend"),
    path("api/search", current_page(views.search_api), name="api"),
    path("search/hits.csv", views.export_csv, name="export_csv"),
    path("api/openapi.json", views.openapi, name="openapi"),
]

from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="home"),
    path("search/", views.search_page, name="search"),
    path("search/help/", views.help_page, name="help"),
    path("search/trend/", views.trend_page, name="trend"),
    path("api/search", views.search_api, name="api"),
    path("search/hits.csv", views.export_csv, name="export_csv"),
    path("api/openapi.json", views.openapi, name="openapi"),
]

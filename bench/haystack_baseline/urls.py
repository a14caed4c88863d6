"""haystack's stock SearchView at /search/, ahead of the archive's own URLs: its results link
to the sections' permalinks (`get_absolute_url`), which need the archive's URL names."""

from django.urls import path
from haystack.forms import SearchForm
from haystack.generic_views import SearchView

from config.urls import urlpatterns as archive_urlpatterns

urlpatterns = [
    path(
        "search/",
        SearchView.as_view(form_class=SearchForm, template_name="haystack_baseline/search.html"),
    ),
    *archive_urlpatterns,
]

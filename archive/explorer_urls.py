"""URLs of the commitments explorer. Included from config/urls.py:

    path("", include("archive.explorer_urls")),
"""

from django.urls import path, register_converter

import archive.urls  # noqa: F401  (registers the "readable" path converter used below)
from archive import explorer_views as views


class PanelFormat:
    """The panel file formats: parquet, dta."""

    regex = "parquet|dta"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PanelFormat, "panel")

app_name = "explorer"
urlpatterns = [
    path("commitments/", views.commitments, name="commitments"),
    path("commitments.csv", views.commitments_csv, name="commitments_csv"),
    path("commitments.json", views.commitments_json, name="commitments_json"),
    path("commitments/pivot/", views.pivot, name="pivot"),
    path("commitments/pivot.csv", views.pivot_csv, name="pivot_csv"),
    path("commitments.<panel:fmt>", views.commitments_panel, name="commitments_panel"),
    path("commitments/pivot.<panel:fmt>", views.pivot_panel, name="pivot_panel"),
    path("commitments/methods/", views.methods, name="methods"),
    path("commitments/codebook/", views.codebook, name="codebook"),
    path("commitments/<int:pk>/correct/", views.correct, name="correct"),
    path("indicators/", views.indicators, name="indicators"),
    path("track-record/<readable:path>/", views.track_record, name="track_record"),
]

"""Atom feeds (django.contrib.syndication): a search with its filters, and a place with the
places below it. Entries are reports (a search feed: the sections that match, each linking to
its paragraph); a feed reader sees a newly published report as a new entry."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from archive.models import Place, Report
from search.engines import get_engine
from search.forms import SearchForm
from search.links import hit_link

ENTRIES = 50


class SearchFeed(Feed):
    """The newest matching sections of a search (the same words and filters as the page)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest) -> SearchForm:
        form = SearchForm(request.GET)
        form.is_valid()  # the view refuses invalid searches before the feed is built
        return form

    def title(self, form: SearchForm) -> str:
        q = form.cleaned_data.get("q") or ""
        place = form.cleaned_data.get("place") or ""
        return f"检索 {q}{' · ' + place if place else ''} · 政府工作报告档案"

    def subtitle(self, form: SearchForm) -> str:
        return "新收录的报告中命中这一检索的段落 Sections of newly archived reports matching this search"

    def link(self, form: SearchForm) -> str:
        params = {k: v for k, v in form.cleaned_data.items() if k not in ("page", "view") and v}
        return reverse("search:search") + "?" + urlencode({**params, "view": "list"})

    def items(self, form: SearchForm) -> list:
        outcome = get_engine().run(form.parsed, page=1, sort="year", grid=False)
        hits = outcome.hits[:ENTRIES]
        reports = Report.objects.published().in_bulk(
            [h.report_pid for h in hits], field_name="public_id"
        )
        for hit in hits:
            hit.url = hit_link(hit, outcome.terms)
            hit.report = reports.get(hit.report_pid)
        return [h for h in hits if h.report is not None]

    def item_title(self, hit) -> str:
        return f"{hit.place or '地点未知'} {hit.year or ''} · {hit.title}"

    def item_description(self, hit) -> str:
        return hit.snippet.to_html()

    def item_link(self, hit) -> str:
        return hit.url

    def item_guid(self, hit) -> str:
        # A stable IRI for the section, whatever the query string of its link.
        return f"urn:archive:section:{hit.report_pid}:v{hit.version_number}:{hit.anchor or ''}"

    item_guid_is_permalink = False

    def item_pubdate(self, hit):
        return hit.report.published_at

    def item_updateddate(self, hit):
        return hit.report.published_at


class PlaceFeed(Feed):
    """A place's reports and those of the places below it, newest published first."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, place: Place) -> Place:
        return place

    def title(self, place: Place) -> str:
        return f"{place.full_name} · 政府工作报告档案"

    def subtitle(self, place: Place) -> str:
        return (
            f"{place.full_name}及下级地区新收录的政府工作报告 Reports newly archived for this place"
        )

    def link(self, place: Place) -> str:
        return place.get_absolute_url()

    def items(self, place: Place):
        return (
            Report.objects.published()
            .for_place(place)
            .select_related("place")
            .order_by("-published_at", "-pk")[:ENTRIES]
        )

    def item_title(self, report: Report) -> str:
        return f"{report.place_label} {report.year_label} · {report.title}"

    def item_description(self, report: Report) -> str:
        return f"{report.get_doc_type_display()} · {report.place_label} · {report.year_label}"

    def item_guid(self, report: Report) -> str:
        # The public id never changes, even when a correction changes the readable link.
        return f"urn:archive:report:{report.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, report: Report):
        return report.published_at

    def item_updateddate(self, report: Report):
        return report.published_at

"""Feeds, sitemap, robots.txt and favicon: validate, then hand over to Django's frameworks."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from archive.models import Place
from feeds.feeds import PlaceFeed, SearchFeed
from search.forms import SearchForm

search_atom = SearchFeed()
place_atom = PlaceFeed()


@require_GET
def search_feed(request: HttpRequest) -> HttpResponse:
    """Atom feed of a search with its filters; a search that cannot run is a 400 saying why."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.message(), status=400, content_type="text/plain; charset=utf-8")
    if form.is_blank:
        return HttpResponse(
            "请给出检索词或筛选条件。 (Give search words or a filter.)",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return search_atom(request)


@require_GET
def place_feed(request: HttpRequest, path: str) -> HttpResponse:
    place = Place.objects.by_slug_path(path)
    if place is None:
        moved = Place.objects.by_old_path(path)
        if moved is None:
            raise Http404("no such place")
        return redirect(reverse("feeds:place", args=[moved.slug_path]), permanent=True)
    return place_atom(request, place=place)


@require_GET
@cache_control(max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Search result pages carry noindex; crawlers find reports through the sitemap instead.
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /upload/",
        "Disallow: /api/",
        "Disallow: /search/",
        "Disallow: /desk/",
        "Allow: /search/help/",
        f"Sitemap: {request.build_absolute_uri(reverse('feeds:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)

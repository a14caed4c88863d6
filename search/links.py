"""Links from a search hit to the archive: the paragraph it matched, with the terms to mark.

Shared by every page that lists hits (the search page, the grid, the API, the Atom feed), so
they live here in the search layer rather than in one of those views.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.urls import reverse

from search import results


def hl_param(terms: list[str]) -> str:
    """The report page's ?hl= value: the normalised terms, separated by spaces."""
    return " ".join(terms)


# A report's links never change within a process (the URLconf is fixed): reversed once per
# report, not once per hit (a grid page decorates up to 170 hits).
@functools.lru_cache(maxsize=50_000)
def version_url(pid: str, number: int) -> str:
    return reverse("archive:version", args=[pid, number])


@functools.lru_cache(maxsize=50_000)
def report_short_url(pid: str) -> str:
    return reverse("archive:report_short", args=[pid])


_PROBE = 987654321  # a paragraph number no real link holds, to find where the number goes


@functools.lru_cache(maxsize=50_000)
def _paragraph_url_around(pid: str, number: int) -> tuple[str, str]:
    before, _, after = reverse("archive:paragraph", args=[pid, number, _PROBE]).rpartition(
        str(_PROBE)
    )
    return before, after


def paragraph_url(pid: str, number: int, paragraph: int) -> str:
    """The permalink of a paragraph: reversed once per version, the number put in its place
    (the CSV export links every row; reversing each was 40% of an export)."""
    before, after = _paragraph_url_around(pid, number)
    return f"{before}{paragraph}{after}"


@functools.lru_cache(maxsize=1024)
def _marks_query(terms: tuple[str, ...]) -> str:
    return "?" + urlencode({"hl": hl_param(list(terms))}) if terms else ""


def hit_link(hit: results.Hit, terms: list[str]) -> str:
    """The best paragraph of the hit's section, with the terms to mark on arrival."""
    url = version_url(hit.report_pid, hit.version_number) + _marks_query(tuple(terms))
    return f"{url}#{hit.anchor}" if hit.anchor else url

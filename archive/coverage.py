"""What the archive holds: which places have which years' reports (the coverage page, the strip
on a place page), and the counts and newest additions the home page shows. Rows follow GB/T 2260
(the nation, then each province followed by its cities and counties)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min

from archive.models import DocType, Place, PlaceLevel, Report, ReportQuerySet

# The documents that make a place-year "covered": the report or an excerpt of it, not the
# congress's resolution approving it or a news summary.
REPORT_KINDS = [DocType.WORK_REPORT, DocType.EXCERPT]
LEVEL_CHOICES = [
    (PlaceLevel.NATIONAL, "国家"),
    (PlaceLevel.PROVINCE, "省"),
    (PlaceLevel.CITY, "市"),
    (PlaceLevel.DISTRICT, "县区"),
]


def reports() -> ReportQuerySet:
    """Published reports that cover their place and year."""
    return Report.objects.published().filter(doc_type__in=REPORT_KINDS)


def administrative_order(place: Place) -> tuple:
    """Nation first, then by code (a province's code sorts before its cities' and counties');
    a place without a code goes after the coded ones, by name."""
    if place.level == PlaceLevel.NATIONAL:
        return (0, "", place.full_name)
    return (1 if place.code else 2, place.code or "", place.full_name)


@dataclass
class YearCell:
    year: int
    url: str | None  # the report of that year, or None: the archive does not hold it
    title: str = ""


@dataclass
class CoverageRow:
    place: Place
    depth: int
    label: str  # the name below the nearest place shown above it ("海拉尔区" under 呼伦贝尔市)
    cells: list[YearCell] = field(default_factory=list)
    held: int = 0


def _year_span(qs) -> list[int]:
    span = qs.filter(year__isnull=False).aggregate(first=Min("year"), last=Max("year"))
    if span["first"] is None:
        return []
    return list(range(span["first"], span["last"] + 1))


def _cells(held: dict[int, Report], years: list[int]) -> list[YearCell]:
    return [
        YearCell(y, held[y].get_absolute_url(), held[y].title) if y in held else YearCell(y, None)
        for y in years
    ]


def strip_for(place: Place) -> list[YearCell]:
    """One place's own reports, a cell per year from its first to its last (gaps shown)."""
    own = reports().filter(place=place).order_by("year", "public_id")
    held = {}
    for r in own:
        held.setdefault(r.year, r)
    return _cells(held, _year_span(own))


def matrix(level: str | None = None) -> tuple[list[int], list[CoverageRow]]:
    """Places × years of the whole archive (or of one level): which reports exist."""
    qs = reports().select_related("place").exclude(place=None).order_by("year", "public_id")
    if level:
        qs = qs.filter(place__level=level)
    years = _year_span(qs)
    by_place: dict[int, dict[int, Report]] = {}
    places: dict[int, Place] = {}
    for r in qs:
        places[r.place_id] = r.place
        if r.year is not None:
            by_place.setdefault(r.place_id, {}).setdefault(r.year, r)
    ordered = sorted(places.values(), key=administrative_order)
    rows = []
    shown = [p.full_name for p in ordered]
    for place in ordered:
        # Indented once for each place above it in the table (a district under its city and
        # province); full names spell the chain, so containment is a prefix.
        above = [n for n in shown if n != place.full_name and place.full_name.startswith(n)]
        nearest = max(above, key=len, default="")
        held = by_place.get(place.pk, {})
        rows.append(
            CoverageRow(
                place, len(above), place.full_name[len(nearest) :], _cells(held, years), len(held)
            )
        )
    return years, rows


@dataclass
class Summary:
    reports: int
    places: int
    first_year: int | None
    last_year: int | None
    by_level: list[tuple[str, int]]
    newest: list[Report]


def summary(newest: int = 8) -> Summary:
    """The counts and newest additions the home page opens with."""
    published = Report.objects.published()
    span = published.filter(year__isnull=False).aggregate(first=Min("year"), last=Max("year"))
    levels = dict(
        published.exclude(place=None)
        .values_list("place__level")
        .annotate(n=Count("place", distinct=True))
        .values_list("place__level", "n")
    )
    return Summary(
        reports=published.count(),
        places=published.exclude(place=None).values("place").distinct().count(),
        first_year=span["first"],
        last_year=span["last"],
        by_level=[(label, levels.get(code, 0)) for code, label in LEVEL_CHOICES],
        newest=list(published.select_related("place").order_by("-published_at", "-pk")[:newest]),
    )

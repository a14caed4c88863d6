"""How the place × year grid is laid out for reading, at the scale of a country: rows in
administrative order (GB/T 2260: the nation, then each province followed by its cities and
their counties), indented under the rows of their parent places, filterable by level, and
empty cells that tell "the archive has no report of that place that year" from "it has the
report, which does not mention the words". The engine decides which cells there are and what
they count; this module only arranges them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from archive.coverage import LEVEL_CHOICES, REPORT_KINDS
from archive.models import Place, PlaceLevel, Report
from search.cache import data_version
from search.results import UNKNOWN_PLACE, Cell, Outcome

LEVELS = LEVEL_CHOICES


@dataclass
class GridCell:
    year: int | None
    cell: Cell | None  # the engine's cell: its count, link and best hit
    state: str  # "hit", "no-mention" (report held, no hit), "no-report", "unknown"
    report_url: str | None = None  # for "no-mention": the report that does not mention it


@dataclass
class GridRow:
    key: str  # "r<n>": what the collapse buttons refer to
    place: str  # the engine's place value (full name, "" for unknown)
    label: str  # the name below the nearest parent row shown ("海拉尔区" under 呼伦贝尔市)
    level: str | None
    code: str | None
    depth: int
    within: list[str] = field(default_factory=list)  # keys of the rows it is indented under
    has_children: bool = False
    cells: list[GridCell] = field(default_factory=list)


def _order_key(place: str, places: dict[str, dict], codes: dict[str, str]) -> tuple:
    if place == UNKNOWN_PLACE or place not in places:
        return (1, "", place)
    info = places[place]
    if info["level"] == PlaceLevel.NATIONAL:
        return (0, "", place)
    # A place the gazetteer has no code for sorts right after its nearest coded ancestor.
    code = info["code"] or _ancestor_code(place, codes) + "~"
    return (0, code, place)


def _ancestor_code(place: str, codes: dict[str, str]) -> str:
    best = ""
    for name in codes:
        if place.startswith(name) and name != place and len(name) > len(best):
            best = name
    return codes.get(best, "~")


def held_reports(places: list[str], years: list[int | None]) -> dict[tuple[str, int], str]:
    """(place full name, year) -> the URL of a published report of that place and year."""
    wanted_places, wanted_years = {p for p in places if p}, {y for y in years if y is not None}
    return {
        k: url for k, url in _all_held().items() if k[0] in wanted_places and k[1] in wanted_years
    }


_held_memo: dict[str, dict[tuple[str, int], str]] = {}


def _all_held() -> dict[tuple[str, int], str]:
    """Every (place, year) the archive holds a report of, with its URL: read and reversed
    once per data version (every publish, correction and withdrawal changes it), not for
    every grid page; the grid of a broad word names most of the archive's reports."""
    token = data_version()
    held = _held_memo.get(token)
    if held is not None:
        return held
    rows = (
        Report.objects.published()
        .filter(place__isnull=False, year__isnull=False)
        # "The archive has that place's report that year": the report or an excerpt of it.
        .filter(doc_type__in=REPORT_KINDS)
        .order_by("doc_type", "public_id")  # "work_report" before excerpts and the like
        .values_list("place__full_name", "year", "readable_path", "public_id", "doc_type")
    )
    held = {}
    for place, year, path, pid, doc_type in rows:
        url = (
            reverse("archive:report_readable", args=[path])
            if path
            else reverse("archive:report_short", args=[pid])
        )
        if (place, year) not in held or doc_type == "work_report":
            held[(place, year)] = url
    _held_memo.clear()  # only the current version is ever asked for again
    _held_memo[token] = held
    return held


def lay_out(outcome: Outcome, level: str | None = None) -> list[GridRow]:
    """The grid's rows in administrative order, each with its cells for outcome.grid_cols."""
    places = {
        p["full_name"]: p
        for p in Place.objects.filter(full_name__in=[p for p in outcome.grid_rows if p]).values(
            "full_name", "name", "level", "code"
        )
    }
    codes = {name: p["code"] for name, p in places.items() if p["code"]}
    ordered = sorted(outcome.grid_rows, key=lambda p: _order_key(p, places, codes))
    if level:
        ordered = [p for p in ordered if places.get(p, {}).get("level") == level]
    held = held_reports(ordered, outcome.grid_cols)
    rows: list[GridRow] = []
    for i, place in enumerate(ordered):
        info = places.get(place, {})
        # Indented under the rows shown above it whose place contains this one (the nation
        # heads the grid but nothing is indented under it: collapsing it would hide all).
        parents = [
            r
            for r in rows
            if r.place
            and r.level != PlaceLevel.NATIONAL
            and r.place != place
            and place.startswith(r.place)
        ]
        nearest = parents[-1] if parents else None
        label = place[len(nearest.place) :] if nearest else place
        row = GridRow(
            key=f"r{i}",
            place=place,
            label=label or "地点未知 unknown",
            level=info.get("level"),
            code=info.get("code"),
            depth=len(parents),
            within=[r.key for r in parents],
        )
        for parent in parents:
            parent.has_children = True
        for year in outcome.grid_cols:
            cell = outcome.grid.get((place, year))
            if cell:
                row.cells.append(GridCell(year, cell, "hit"))
            elif place == UNKNOWN_PLACE or year is None:
                row.cells.append(GridCell(year, None, "unknown"))
            elif (place, year) in held:
                row.cells.append(GridCell(year, None, "no-mention", held[(place, year)]))
            else:
                row.cells.append(GridCell(year, None, "no-report"))
        rows.append(row)
    return rows

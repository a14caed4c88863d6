"""The trend page's charts as plain numbers for an SVG template: years on a true time scale
(1965 and 1978 are 13 years apart, not neighbours), one y-axis shared by every term so that
their heights compare, and a width that a phone shows whole (the SVG scales to its box)."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.results import Trend, TrendRow

WIDTH = 720  # viewBox units; the SVG is drawn at 100% of its box
NARROW = 360  # the phone drawing: half as wide, so its labels stay ~11 px when scaled to fit
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 34  # room for the y labels and the year labels
MEASURES = {
    "rate": "每万字出现次数 per 10,000 characters",
    "raw": "出现次数 occurrences",
    "sections": "段落数 sections",
}


@dataclass
class Bar:
    year: int
    x: float
    y: float
    width: float
    height: float
    value: float
    sections: int
    occurrences: int


@dataclass
class Chart:
    term: str
    bars: list[Bar]
    y_ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    x_ticks: list[tuple[float, int]] = field(default_factory=list)  # (x, year)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT


def value(result: Trend, row: TrendRow, year: int, measure: str) -> float:
    if measure == "raw":
        return float(row.years.get(year, (0, 0))[1])
    if measure == "sections":
        return float(row.years.get(year, (0, 0))[0])
    return result.rate(row, year)


def years_with_hits(result: Trend) -> list[int | None]:
    """The trend's years from the first with a hit to the last: an archive that starts in
    1954 should not open every table with decades of empty columns."""
    counted = 1 if result.occurrences_counted else 0  # else only sections were counted
    hit = [y for y in result.years if any(r.years.get(y, (0, 0))[counted] for r in result.rows)]
    if not hit:
        return []
    known = [y for y in result.years if y is not None]
    dated = [y for y in hit if y is not None]
    span = [y for y in known if dated and dated[0] <= y <= dated[-1]]
    return span + ([None] if None in hit else [])


def nice_step(top: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving four or five ticks."""
    if top <= 0:
        return 1.0
    raw = top / 4
    power = 1.0
    while power * 10 <= raw:
        power *= 10
    while power > raw:
        power /= 10
    for m in (1, 2, 5, 10):
        if power * m >= raw:
            return power * m
    return power * 10


def _label(v: float) -> str:
    return f"{v:g}" if v >= 1 or v == 0 else f"{v:.2g}"


def build(
    result: Trend, measure: str = "rate", width: int = WIDTH, max_labels: int = 8
) -> list[Chart]:
    """One chart per term (all places together), all on the same y scale, `width` viewBox
    units wide with at most about `max_labels` year labels."""
    years = [y for y in years_with_hits(result) if y is not None]
    rows = [r for r in result.rows if r.place is None]
    if not years or not rows:
        return []
    top = max((value(result, r, y, measure) for r in rows for y in years), default=0)
    step = nice_step(top)
    ceiling = step * max(1, -(-top // step)) if top else step
    first, last = years[0], years[-1]
    span = max(1, last - first)
    plot_w = width - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bar_w = max(2.0, min(24.0, plot_w / (span + 1) * 0.8))

    def x_of(year: int) -> float:
        if last == first:
            return LEFT + plot_w / 2
        return LEFT + bar_w / 2 + (year - first) * (plot_w - bar_w) / span

    y_ticks = []
    tick = 0.0
    while tick <= ceiling + step / 1000:
        y_ticks.append((round(TOP + plot_h * (1 - tick / ceiling), 1), _label(round(tick, 6))))
        tick += step
    # Year labels: about eight, on round years, so they never overlap even at phone width.
    every = next(n for n in (1, 2, 5, 10, 20, 25, 50) if span / n <= max_labels)
    x_ticks = [(round(x_of(y), 1), y) for y in range(first, last + 1) if y % every == 0]
    if not x_ticks:
        x_ticks = [(round(x_of(first), 1), first)]
    charts = []
    for row in rows:
        bars = []
        for year in years:
            v = value(result, row, year, measure)
            h = round(plot_h * v / ceiling, 1) if ceiling else 0
            sections, occurrences = row.years.get(year, (0, 0))
            bars.append(
                Bar(
                    year=year,
                    x=round(x_of(year) - bar_w / 2, 1),
                    y=round(TOP + plot_h - h, 1),
                    width=round(bar_w, 1),
                    height=h,
                    value=v,
                    sections=sections,
                    occurrences=occurrences,
                )
            )
        charts.append(
            Chart(
                term=row.term,
                bars=bars,
                y_ticks=y_ticks,
                x_ticks=x_ticks,
                width=width,
                right_edge=width - RIGHT,
            )
        )
    return charts

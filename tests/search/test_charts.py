"""The trend chart's geometry: true time scale, one shared y scale, years trimmed to hits."""

from search import charts
from search.whoosh_engine import Trend, TrendRow


def _trend() -> Trend:
    rows = [
        TrendRow(term="棚户区改造", place=None, years={1965: (1, 2), 1978: (2, 4), 2020: (3, 8)}),
        TrendRow(term="营商环境", place=None, years={2020: (5, 40)}),
    ]
    years = [1954, 1965, 1978, 1979, 2020, 2024]
    chars = {(None, y): 10_000 for y in years}
    return Trend(terms=["棚户区改造", "营商环境"], years=years, chars=chars, rows=rows)


def test_years_are_spaced_as_time_and_trimmed_to_the_hits():
    years = charts.years_with_hits(_trend())
    assert years == [1965, 1978, 1979, 2020]  # 1954 and 2024 had no hit
    bars = {b.year: b for b in charts.build(_trend(), "raw")[0].bars}
    gap_13 = bars[1978].x - bars[1965].x
    gap_42 = bars[2020].x - bars[1978].x
    assert abs(gap_42 / gap_13 - 42 / 13) < 0.01


def test_every_term_shares_one_y_scale_with_labelled_ticks():
    first, second = charts.build(_trend(), "raw")
    assert first.y_ticks == second.y_ticks
    assert first.y_ticks[0][1] == "0" and float(first.y_ticks[-1][1]) >= 40
    tallest = {c.term: max(b.height for b in c.bars) for c in (first, second)}
    # 8 occurrences against 40: a fifth of the height, not each term scaled to its own top.
    assert abs(tallest["棚户区改造"] / tallest["营商环境"] - 8 / 40) < 0.01
    rate = charts.build(_trend(), "rate")[1]
    assert max(b.value for b in rate.bars) == 40.0  # 40 per 10,000 characters


def test_year_labels_stay_few_enough_for_a_phone():
    chart = charts.build(_trend(), "raw")[0]
    assert 2 <= len(chart.x_ticks) <= 9
    xs = [x for x, _ in chart.x_ticks]
    assert xs == sorted(xs) and min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 40


def test_nice_steps_are_round():
    assert [charts.nice_step(t) for t in (0.03, 3.7, 12, 1234)] == [0.01, 1.0, 5.0, 500.0]


def test_the_phone_drawing_is_narrower_with_fewer_year_labels():
    wide = charts.build(_trend(), "raw")[0]
    narrow = charts.build(_trend(), "raw", width=charts.NARROW, max_labels=4)[0]
    assert narrow.width == charts.NARROW < wide.width
    assert len(narrow.x_ticks) <= 5 < len(wide.x_ticks) + 1
    assert max(b.x + b.width for b in narrow.bars) <= narrow.right_edge
    assert narrow.y_ticks == wide.y_ticks  # the same scale

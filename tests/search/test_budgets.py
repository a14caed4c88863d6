"""Heavy views within their budgets: a stranger's query of twenty one-character OR terms gets,
from the trend, the grid and the API, a 200 that is either the full, correct answer or says
which budget it stopped at (never a timeout, never a silent truncation)."""

from __future__ import annotations

import csv
import io

import pytest

from archive.models import Report, Section
from search import export, results, whoosh_engine
from search.highlight import occurrences
from search.normalize import normalize
from search.search_indexes import attach_units, whole_text_section

pytestmark = pytest.mark.django_db

CHARS = "发展改革创新开放绿色协调共享民生就业教育医疗住房"
TWENTY = " OR ".join(CHARS[:20])


def section_texts() -> list[str]:
    """The normalised unit text of every indexed section (the brute-force ground truth)."""
    out = []
    for report in Report.objects.published().select_related("current_version"):
        version = report.current_version
        sections = list(Section.objects.filter(version=version)) or [whole_text_section(version)]
        attach_units(version, sections)
        out.extend(normalize(s.search_unit_text) for s in sections)
    return out


def query_row(trend) -> results.TrendRow:
    return next(r for r in trend.rows if r.place is None)


def test_twenty_one_character_terms_get_full_answers_or_a_stated_budget(seeded, client):
    texts = section_texts()
    terms = list(CHARS[:20])
    expected = sum(1 for t in texts if any(c in t for c in terms))
    assert expected > 0

    api = client.get("/api/search", {"q": TWENTY})
    assert api.status_code == 200 and api.json()["count"] == expected
    grid = client.get("/search/", {"q": TWENTY, "view": "grid"})
    assert grid.status_code == 200
    outcome = grid.context["outcome"]
    assert outcome.count == expected
    assert sum(c.count for c in outcome.grid.values()) == expected or outcome.grid_truncated

    page = client.get("/search/trend/", {"q": TWENTY})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-budget="trend"' in html and "只为前 8 个词各画一行" in html
    trend = page.context["trend"]
    assert [r.term for r in trend.rows if r.place is None][1:] == terms[:8]
    row = query_row(trend)  # the whole query, all twenty terms
    assert sum(s for s, _ in row.years.values()) == expected
    if trend.occurrences_counted:
        want = sum(len(occurrences(t, terms)) for t in texts)
        assert sum(o for _, o in row.years.values()) == want


@pytest.mark.parametrize(
    "q, terms", [("发展", ["发展"]), ("6.5%", ["6.5%"]), ("就业 OR 民生", ["就业", "民生"])]
)
def test_occurrences_equal_the_marks_on_the_archive(seeded, client, q, terms):
    """The first row (the term, or the whole query) against a brute-force count of marks."""
    hits = [t for t in section_texts() if any(term in t for term in terms)]
    trend = client.get("/search/trend/", {"q": q}).context["trend"]
    assert trend.occurrences_counted
    row = query_row(trend)
    assert sum(s for s, _ in row.years.values()) == len(hits)
    assert sum(o for _, o in row.years.values()) == sum(len(occurrences(t, terms)) for t in hits)


def test_past_the_scan_budget_the_trend_gives_exact_sections_and_says_so(
    seeded, client, monkeypatch
):
    monkeypatch.setattr(whoosh_engine, "TREND_MAX_SCAN", 1)
    full = client.get("/api/search", {"q": "发展"}).json()["count"]
    page = client.get("/search/trend/", {"q": "发展"})
    assert page.status_code == 200
    assert "超出预算" in page.content.decode()
    trend = page.context["trend"]
    assert not trend.occurrences_counted
    assert sum(s for s, _ in query_row(trend).years.values()) == full
    download = client.get("/search/trend/", {"q": "发展", "format": "csv"})
    assert "Over the trend's budget" in download["X-Archive-Budget"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert sum(int(r["sections"]) for r in rows) == full
    assert all(r["occurrences"] == "" for r in rows)


def test_the_hit_export_stops_at_its_row_budget_with_a_last_row_saying_so(
    seeded, client, monkeypatch
):
    full = client.get("/search/hits.csv", {"q": "发展"})
    every = list(csv.reader(io.StringIO(b"".join(full.streaming_content).decode("utf-8-sig"))))
    assert len(every) - 1 > 5 and every[-1][0] != export.BUDGET_MARK
    monkeypatch.setattr(export, "MAX_ROWS", 5)
    cut = client.get("/search/hits.csv", {"q": "发展"})
    assert cut.status_code == 200 and "at most 5 rows" in cut["X-Archive-Budget"]
    rows = list(csv.reader(io.StringIO(b"".join(cut.streaming_content).decode("utf-8-sig"))))
    assert rows[1:6] == every[1:6]
    assert rows[6][0] == export.BUDGET_MARK and "budget of 5 rows" in rows[6][7]
    assert len(rows) == 7

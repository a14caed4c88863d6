"""No missed and no extra hits on the real archive, through every view.

The brute force: every published text's index units (the sections' own text, a text
without sections whole) scanned with `in` for the normalised needle; operators and year
ranges combined as Python sets. The engine is compared with it for every one of more than
1,000 queries sampled with a fixed seed: directly (the matching docnums) for all of them,
and for a stratified subset (the first queries of every class) through the views a reader
or a researcher uses: the API followed by its `next` links, the HTML list paged to the end,
the grid with each cell's link, the trend and the CSV export.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest

from search import whoosh_engine
from search.evaluation import sample_queries
from search.indexing import documents_for_report, published_report_ids
from search.normalize import normalize
from search.query import Filters, parse_query

pytestmark = pytest.mark.django_db

SEED = 13
PER_CLASS = 110  # 7 sampled classes -> 770 queries, and 4 operator classes below
THROUGH_VIEWS = 4  # queries per class checked through every view
CELLS_PER_QUERY = 12  # grid cells whose link is followed, per query
EXACT_CLASSES = {"quoted", "substring", "number", "cross_boundary", "or", "not", "and", "years"}


@dataclass
class Unit:
    text: str  # normalised
    year: int | None
    place: str
    key: tuple[str, str]  # (report public id, section anchor or "")


@dataclass
class Case:
    cls: str
    params: dict
    expected: set[str]


@pytest.fixture(scope="module")
def units(real_archive) -> dict[str, Unit]:
    out = {}
    for rid in published_report_ids():
        for doc in documents_for_report(rid):
            out[doc["django_id"]] = Unit(
                normalize(doc["chars"]),
                doc.get("year") or None,
                doc.get("place") or "",
                (doc["report_pid"], doc.get("anchor") or ""),
            )
    return out


def having(units: dict[str, Unit], needle: str) -> set[str]:
    return {k for k, u in units.items() if needle in u.text}


def quoted(s: str) -> str:
    return f'"{s}"' if '"' not in s else f"「{s}」"


@pytest.fixture(scope="module")
def cases(units) -> list[Case]:
    texts = {k: u.text for k, u in units.items()}
    out = [
        Case(s.cls, {"q": s.query}, having(units, normalize(s.needle)))
        for s in sample_queries(texts, n_per_class=PER_CLASS, seed=SEED)
    ]
    rng = random.Random(SEED)
    words = [s for s in sample_queries(texts, n_per_class=200, seed=SEED + 1) if s.cls == "word"]
    needles = [normalize(s.needle) for s in words if '"' not in s.needle and " " not in s.needle]
    for _ in range(PER_CLASS):
        a, b = rng.sample(needles, 2)
        out.append(
            Case("or", {"q": f"{quoted(a)} OR {quoted(b)}"}, having(units, a) | having(units, b))
        )
        a, b = rng.sample(needles, 2)
        out.append(
            Case("not", {"q": f"{quoted(a)} -{quoted(b)}"}, having(units, a) - having(units, b))
        )
        a, b = rng.sample(needles, 2)
        out.append(
            Case("and", {"q": f"{quoted(a)} {quoted(b)}"}, having(units, a) & having(units, b))
        )
        a = rng.choice(needles)
        lo, hi = rng.choice(
            [(None, rng.randint(1955, 2020)), (rng.randint(1955, 2024), None), (1978, 2000)]
        )
        params = {"q": quoted(a)}
        if lo:
            params["year_from"] = lo
        if hi:
            params["year_to"] = hi
        expected = {
            k
            for k in having(units, a)
            if units[k].year is not None
            and (lo is None or units[k].year >= lo)
            and (hi is None or units[k].year <= hi)
        }
        out.append(Case("years", params, expected))
    assert len(out) >= 1000
    return out


def test_every_query_direct(real_archive, units, cases):
    searcher = whoosh_engine.get_searcher()
    ids = whoosh_engine.docnum_to_section_ids(searcher)
    assert set(ids.values()) == set(units)
    per_class: dict = defaultdict(lambda: Counter())
    misses = []
    for case in cases:
        filters = Filters()
        filters.restrict_years(case.params.get("year_from"), case.params.get("year_to"))
        got = {
            ids[d]
            for d in whoosh_engine.matching_docnums(
                parse_query(case.params["q"], filters), searcher
            )
        }
        c = per_class[case.cls]
        c["queries"] += 1
        c["expected"] += len(case.expected)
        c["found"] += len(got)
        c["true"] += len(got & case.expected)
        if not case.expected <= got or (case.cls in EXACT_CLASSES and got != case.expected):
            misses.append((case.cls, case.params, len(case.expected), len(got)))
    report = "\n".join(
        f"{cls:15} {c['queries']:5} queries  recall {c['true'] / max(1, c['expected']):.4f}"
        f"  precision {c['true'] / max(1, c['found']):.4f}"
        for cls, c in sorted(per_class.items())
    )
    print("\n" + report)
    assert not misses, misses[:5]


def api_keys(client, params) -> tuple[int, list[tuple[str, str]]]:
    data = client.get("/api/search", {**params, "per_page": 100}).json()
    count, keys = data["count"], []
    while True:
        for r in data["results"]:
            keys.append((re.search(r"/r/(\w+)/", r["report"])[1], r["section_id"] or ""))
        if not data["next"]:
            return count, keys
        data = client.get(data["next"]).json()


def list_ids(client, params, ids) -> list[str]:
    out, page = [], 1
    while True:
        outcome = client.get(
            "/search/", {**params, "view": "list", "per_page": 100, "page": page}
        ).context["outcome"]
        out += [ids[h.docnum] for h in outcome.hits]
        if page >= outcome.pages:
            return out
        page += 1


def test_a_stratified_subset_through_every_view(real_archive, client, units, cases):
    searcher = whoosh_engine.get_searcher()
    ids = whoosh_engine.docnum_to_section_ids(searcher)
    subset, taken = [], Counter()
    for case in cases:
        if taken[case.cls] < THROUGH_VIEWS and case.expected:
            subset.append(case)
            taken[case.cls] += 1
    assert len(taken) >= 11
    checked = Counter()
    for case in subset:
        expected_keys = sorted(units[k].key for k in case.expected)
        # API, following next to the end: every hit once
        count, keys = api_keys(client, case.params)
        assert count == len(case.expected) and sorted(keys) == expected_keys, case
        # the HTML list, paged to the end
        listed = list_ids(client, case.params, ids)
        assert len(listed) == len(set(listed)) and set(listed) == case.expected, case
        # the grid: every cell's count, and each cell's link lists exactly that cell
        grid = client.get("/search/", {**case.params, "view": "grid"}).context["outcome"]
        cells = Counter((units[k].place, units[k].year) for k in case.expected)
        assert {k: c.count for k, c in grid.grid.items()} == dict(cells) or grid.grid_truncated, (
            case
        )
        for (place, year), cell in list(grid.grid.items())[:CELLS_PER_QUERY]:
            listing = client.get("/search/" + cell.url).context["outcome"]
            assert listing.count == cells[(place, year)], (case, place, year)
            checked["cells"] += 1
        # the trend: sections per year
        trend = client.get("/search/trend/", case.params).context["trend"]
        by_year = Counter(units[k].year for k in case.expected)
        assert {y: s for y, (s, _) in trend.rows[0].years.items() if s} == dict(by_year), case
        # the CSV: every hit's section in the rows
        body = b"".join(client.get("/search/hits.csv", case.params).streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
        got = {(re.search(r"/r/(\w+)/", r["permalink"])[1], r["section_id"]) for r in rows}
        assert got == set(expected_keys), case
        checked["queries"] += 1
    print(f"\nthrough every view: {checked['queries']} queries, {checked['cells']} grid cell links")

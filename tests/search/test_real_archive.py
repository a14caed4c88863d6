"""Search on the real archive (the shipped corpus and the seeds): every page, filter and view.

Each figure is checked against an independent count: the index's own stored fields for
years and places, Whoosh's unpruned scoring for the order, the database for what is
published.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import Report
from search import whoosh_engine
from search.query import parse_query
from tests.conftest import SHARED
from tests.search.conftest import CORPUS_DIR

pytestmark = pytest.mark.django_db

QUERIES = ["民生", "改革 -开放", "营商环境 OR 放管服", "发展", '"经济建设"', "6.5%", "人民 生活"]


def api_all(client, params: dict, per_page: int = 100) -> tuple[int, list[dict]]:
    """Every result of an API search, following `next` links to the end."""
    url, query = "/api/search", {**params, "per_page": per_page}
    data = client.get(url, query).json()
    count, results, seen_pages = data["count"], list(data["results"]), 1
    while data["next"]:
        data = client.get(data["next"]).json()
        results += data["results"]
        seen_pages += 1
        assert seen_pages <= count // per_page + 2, "next links never end"
    return count, results


def stored(searcher) -> dict[int, dict]:
    return dict(searcher.reader().iter_docs())


# --- the corpus ships with the project -------------------------------------------------------


def test_the_corpus_is_shipped_with_its_manifest_byte_for_byte():
    manifest = list(
        csv.DictReader((CORPUS_DIR / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
    )
    assert len(manifest) == 100
    listed = {row["file"] for row in manifest}
    on_disk = {
        str(p.relative_to(CORPUS_DIR))
        for p in CORPUS_DIR.rglob("*")
        if p.is_file() and p.name != "MANIFEST.tsv"
    }
    assert listed == on_disk
    assert all(row["source_repo"] and row["source_commit"] for row in manifest)
    shared = SHARED / "corpus"
    if shared.is_dir():  # the provenance: the same bytes as the collected originals
        for name in listed:
            assert (CORPUS_DIR / name).read_bytes() == (shared / name).read_bytes(), name


def test_make_seed_imports_the_corpus_and_the_seeds():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    seed = re.search(r"^seed:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "import_reports fixtures/corpus fixtures/seeds" in seed


# --- every published text is searchable -------------------------------------------------------


def test_every_published_text_is_in_the_index(real_archive):
    searcher = whoosh_engine.get_searcher()
    indexed = {f["report_pid"] for f in stored(searcher).values()}
    published = set(Report.objects.published().values_list("public_id", flat=True))
    assert len(published) == 105
    assert indexed == published


def test_a_text_without_sections_is_found_as_one_document(real_archive, client):
    report = Report.objects.published().get(year=1975)  # the national report of 1975
    assert not report.current_version.sections.exists()
    text = report.current_version.text
    middle = text[len(text) // 2 :][:400]
    phrase = next(m.group() for m in re.finditer(r"[\u4e00-\u9fff]{8}", middle))
    count, results = api_all(client, {"q": f'"{phrase}"'})
    assert any(f"/r/{report.public_id}/" in r["report"] for r in results), phrase


def test_check_search_index_counts_texts(real_archive, capsys):
    call_command("check_search_index")
    out = capsys.readouterr().out
    assert "105 of 105 published texts searchable" in out
    assert "missing 0, stale 0, orphaned 0" in out


# --- paging is exact at every depth -----------------------------------------------------------


@pytest.mark.parametrize("q", QUERIES)
def test_paging_through_the_api_yields_every_hit_once(real_archive, client, q):
    count, results = api_all(client, {"q": q}, per_page=20)
    urls = [r["url"] for r in results]
    assert count > 0
    assert len(urls) == count
    assert len(set(urls)) == count


@pytest.mark.parametrize("q", QUERIES)
def test_pages_are_slices_of_one_order_by_score(real_archive, q):
    """Page by page, the hits are the engine's ranking in non-increasing score order (the
    sections where the words stand together first, then the rest, then those no ranking
    word matches), compared with Whoosh's unpruned scores."""
    parsed = parse_query(q)
    searcher = whoosh_engine.get_searcher()
    first = whoosh_engine.run(parsed, page=1, per_page=20, grid=False)
    order = []
    for page in range(1, first.pages + 1):
        order += [
            h.docnum for h in whoosh_engine.run(parsed, page=page, per_page=20, grid=False).hits
        ]
    assert len(order) == len(set(order)) == first.count
    assert set(order) == whoosh_engine.matching_docnums(parsed, searcher)
    rq = whoosh_engine.rank_query(parsed.terms, searcher)
    scores = {h.docnum: h.score for h in searcher.search(rq, limit=None, optimize=False)}
    together = whoosh_engine.phrase_docs(parsed, searcher)

    def key(d):
        return (0 if d in together else 1, 0 if d in scores else 1, -scores.get(d, 0.0))

    keys = [key(d) for d in order]
    for a, b in zip(keys, keys[1:], strict=False):
        assert a[:2] < b[:2] or (a[:2] == b[:2] and a[2] <= b[2] + 1e-9), (a, b)


def test_more_than_a_thousand_hits_are_all_reachable(real_archive, client):
    count, results = api_all(client, {"q": "的"}, per_page=100)
    assert count > 1000
    assert len({r["url"] for r in results}) == count
    deep = client.get("/search/", {"q": "的", "view": "list", "page": 51})
    assert deep.status_code == 200
    assert len(deep.context["outcome"].hits) == 20


def test_a_page_past_the_end(real_archive, client):
    data = client.get("/api/search", {"q": "民生"}).json()
    last = data["pages"]
    for page in (last + 1, 9999):
        past = client.get("/api/search", {"q": "民生", "page": page})
        assert past.status_code == 200
        body = past.json()
        assert body["results"] == [] and body["next"] is None and body["count"] == data["count"]
        html = client.get("/search/", {"q": "民生", "view": "list", "page": page})
        assert html.status_code == 404
        assert "这一页不存在" in html.content.decode()
    assert client.get("/search/", {"q": "民生", "view": "list", "page": last}).status_code == 200


def test_api_answers_utf8_json_with_paging_and_match_offsets(real_archive, client):
    r = client.get("/api/search", {"q": "营商环境", "per_page": 5})
    body = r.content.decode("utf-8")
    assert "营商环境" in body and "\\u" not in body
    data = r.json()
    assert data["per_page"] == 5 and len(data["results"]) == 5 and data["next"]
    assert "per_page=5" in data["next"] and "page=2" in data["next"]
    report = Report.objects.get(public_id=re.search(r"/r/(\w+)/", data["results"][0]["report"])[1])
    text = report.current_version.text
    for item in data["results"]:
        assert item["matches"] and item["kind"] and item["doc_type"]
        report = Report.objects.get(public_id=re.search(r"/r/(\w+)/", item["report"])[1])
        text = report.current_version.text
        for start, end in item["matches"]:
            assert text[start:end] == "营商环境"


# --- filters are sets, the same everywhere ----------------------------------------------------


def _expected(searcher, lo=None, hi=None, under=None, terms_docs=None) -> set[int]:
    """Docnums by the stored fields alone: a year within lo..hi, a place at or under `under`
    (a full name: the names below it start with it)."""
    out = set()
    for d, f in stored(searcher).items():
        year = f.get("year") or None
        if (lo is not None or hi is not None) and year is None:
            continue
        if lo is not None and year < lo or hi is not None and year > hi:
            continue
        if under is not None and not (f.get("place") or "").startswith(under):
            continue
        out.add(d)
    return out if terms_docs is None else out & terms_docs


@pytest.mark.parametrize(
    "params, lo, hi",
    [
        ({"year_to": 1960}, None, 1960),
        ({"q": "年份:-1990"}, None, 1990),
        ({"q": "年份:..1960"}, None, 1960),
        ({"q": "年份:2020-"}, 2020, None),
        ({"year_from": 1978, "year_to": 1985}, 1978, 1985),
        ({"q": "民生 年份:..1990"}, None, 1990),
        ({"q": "改革 -开放", "year_to": 2000}, None, 2000),
    ],
)
def test_open_year_ranges_in_list_api_grid_and_trend(real_archive, client, params, lo, hi):
    searcher = whoosh_engine.get_searcher()
    words = [w for w in (params.get("q") or "").split() if not w.startswith("年份")]
    term_docs = None
    if words:
        term_docs = whoosh_engine.matching_docnums(parse_query(" ".join(words)), searcher)
    expected = len(_expected(searcher, lo, hi, terms_docs=term_docs))
    assert expected > 0
    assert client.get("/api/search", params).json()["count"] == expected
    listing = client.get("/search/", {**params, "view": "list"}).context["outcome"]
    assert listing.count == expected
    grid = client.get("/search/", {**params, "view": "grid"}).context["outcome"]
    assert sum(c.count for c in grid.grid.values()) == expected
    for year in grid.grid_cols:
        assert year is not None and (lo is None or year >= lo) and (hi is None or year <= hi)
    if words:
        trend = client.get("/search/trend/", params).context["trend"]
        query_row = trend.rows[0]
        assert sum(s for s, _ in query_row.years.values()) == expected


@pytest.mark.parametrize(
    "place", ["海拉尔", "内蒙古自治区呼伦贝尔市海拉尔区", "150702", "天津", "天津市"]
)
def test_place_by_full_name_short_name_or_code(real_archive, client, place):
    searcher = whoosh_engine.get_searcher()
    full = (
        "内蒙古自治区呼伦贝尔市海拉尔区"
        if place in ("海拉尔", "150702") or "海拉尔" in place
        else "天津市"
    )
    expected = len(_expected(searcher, under=full))
    assert expected > 0
    assert client.get("/api/search", {"place": place}).json()["count"] == expected
    assert client.get("/api/search", {"q": f"地区:{place}"}).json()["count"] == expected


@pytest.mark.parametrize("q", ["民生", "改革 -开放", "营商环境 OR 放管服", "的"])
def test_every_grid_cell_link_lists_exactly_that_cell(real_archive, client, q):
    grid = client.get("/search/", {"q": q, "view": "grid"})
    outcome = grid.context["outcome"]
    assert outcome.grid
    keys = whoosh_engine.cell_keys(whoosh_engine.get_searcher())
    for (place, year), cell in outcome.grid.items():
        listing = client.get("/search/" + cell.url).context["outcome"]
        assert listing.count == cell.count, (place, year, cell.url)
        assert client.get("/api/search" + cell.url).json()["count"] == cell.count
        for hit in listing.hits:
            assert keys[hit.docnum] == (place, year)


def test_cells_of_an_unknown_place_or_year_are_filters_of_their_own(real_archive, client):
    outcome = client.get("/search/", {"q": "的", "view": "grid"}).context["outcome"]
    unknown = [
        (k, c)
        for k, c in outcome.grid.items()
        if k[0] == whoosh_engine.UNKNOWN_PLACE or k[1] is None
    ]
    assert unknown, "the archive has reports of unknown place or year"
    for _key, cell in unknown:
        assert "place_unknown=1" in cell.url or "year_unknown=1" in cell.url
        assert client.get("/search/" + cell.url).context["outcome"].count == cell.count


@pytest.mark.parametrize("q", ["改革 -开放", "营商环境 OR 放管服", "(民生 OR 就业) -天津", "民生"])
def test_trend_counts_equal_the_list(real_archive, client, q):
    listing = client.get("/api/search", {"q": q}).json()
    trend = client.get("/search/trend/", {"q": q}).context["trend"]
    total = trend.rows[0]
    assert total.place is None
    assert sum(s for s, _ in total.years.values()) == listing["count"]
    by_year = {("unknown" if y is None else str(y)): s for y, (s, _) in total.years.items() if s}
    assert by_year == listing["facets"]["year"]


def test_the_api_is_documented_with_examples_that_work(real_archive, client):
    help_page = client.get("/search/help/").content.decode()
    examples = re.findall(r'href="(/api/search\?[^"]+)"', help_page)
    assert len(examples) >= 3
    for url in examples:
        r = client.get(url.replace("&amp;", "&"))
        assert r.status_code == 200 and r.json()["count"] > 0, url
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "place", "year_from", "year_to", "page", "per_page", "place_exact"} <= params
    assert "排序 How results are ranked" in help_page

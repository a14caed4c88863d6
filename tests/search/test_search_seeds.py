"""Searching the five seed documents, stored through the real pipeline and indexed once."""

from __future__ import annotations

import json
import re

import pytest

from search import whoosh_engine
from search.query import parse_query

pytestmark = pytest.mark.django_db


def run(q: str, **kw):
    return whoosh_engine.run(parse_query(q), **kw)


def places_years(outcome) -> set[tuple[str, int | None]]:
    return {(p, y) for (p, y) in outcome.grid}


@pytest.mark.parametrize(
    "word, expected",
    [
        ("营商环境", {("天津市和平区", 2020), ("天津市南开区", 2018)}),
        ("棚户区改造", {("天津市河西区", 2016), ("天津市和平区", 2020), ("天津市南开区", 2018)}),
        (
            "京津冀协同发展",
            {("天津市河西区", 2016), ("天津市和平区", 2020), ("天津市南开区", 2018)},
        ),
        ("新增就业", {("天津市河西区", 2016), ("天津市和平区", 2020), ("天津市南开区", 2018)}),
    ],
)
def test_seed_keywords_found_in_the_right_district_and_year(seeded, word, expected):
    outcome = run(word)
    assert expected <= places_years(outcome)
    for hit in outcome.hits:
        assert word in hit.snippet.marked


def test_place_filter_includes_districts_and_narrows(seeded):
    everywhere = run("发展")
    tianjin = run("发展 地区:天津市")
    hexi = run("发展 地区:河西区")
    assert everywhere.count > tianjin.count > hexi.count > 0  # seed 003 has no place
    assert set(hexi.facets_place) == {"天津市河西区"}
    assert set(tianjin.facets_place) >= {"天津市河西区", "天津市和平区", "天津市南开区"}


def test_a_place_filter_by_short_name_or_code_finds_the_same(seeded):
    full = run("发展 地区:天津市")
    assert run("发展 地区:天津").count == full.count  # the short name readers type
    assert run("发展 地区:天津 地区:河西区").count == run("发展 地区:河西区").count
    assert run("发展 地区:120103").count == run("发展 地区:河西区").count  # the division code
    assert run("发展 地区:北京").count == 0


def test_year_filters_narrow(seeded):
    assert set(run("发展 年份:2016").facets_year) == {2016}
    assert set(run("发展 年份:2016-2019").facets_year) == {2016, 2018}
    assert set(run("发展", grid=False).facets_year) >= {2009, 2016, 2018, 2020, None}


def test_section_kind_and_doc_type_filters(seeded):
    news = run("发展 类型:新闻")
    assert set(news.facets_place) == {"天津市南开区"}
    outcome = run("发展 部分:目标")
    # The seeds have target sections that say 发展 (five today), and fewer than all of them.
    assert 0 < outcome.count < run("发展").count
    assert outcome.hits and {h.kind for h in outcome.hits} == {"targets"}


def test_grid_lays_hits_out_by_district_and_year(seeded, client):
    outcome = run("京津冀协同发展")
    assert outcome.grid_rows == sorted(outcome.grid_rows)
    assert outcome.grid_cols == sorted(outcome.grid_cols)
    assert sum(c.count for c in outcome.grid.values()) == outcome.count
    page = client.get("/search/", {"q": "京津冀协同发展"}).content.decode()
    table = page[page.index('<table class="hit-grid"') : page.index("</table>")]
    header = re.findall(r'<th scope="col">(\d{4})</th>', table)
    assert header == sorted(header) and {"2016", "2018", "2020"} <= set(header)
    rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert {"天津市河西区", "天津市和平区", "天津市南开区"} <= set(rows)
    assert table.count("<mark>京津冀协同发展</mark>") >= 3


def test_hit_links_to_its_paragraph_with_terms_to_mark(seeded, client):
    outcome = run("营商环境")
    page = client.get("/", {"q": "营商环境", "view": "list"}).content.decode()
    links = re.findall(r'class="hit-link" href="([^"]+)"', page)
    assert links and all(re.search(r"/r/\w+/v\d+/\?hl=.+#p\d+$", link) for link in links)
    first = outcome.hits[0]
    report_page = client.get(f"/r/{first.report_pid}/v{first.version_number}/", {"hl": "营商环境"})
    assert report_page.status_code == 200
    assert f'id="{first.anchor}"' in report_page.content.decode()


def test_highlights_mark_exactly_the_query(seeded):
    for q in ["营商环境", "新增就业", "天津", "的"]:
        for hit in run(q).hits:
            assert hit.snippet.marked and set(hit.snippet.marked) == {q}


def test_document_text_is_never_rendered_as_html(seeded, client):
    page = client.get("/", {"q": "<span", "view": "list"}).content.decode()
    assert "<mark>&lt;span</mark>" in page
    assert "<span改造" not in page
    api = client.get("/api/search", {"q": "<span"}).json()
    assert api["count"] == 1 and "<span改造" in api["results"][0]["snippet"]


@pytest.mark.parametrize(
    "query, same_as",
    [
        ("營商環境", "营商环境"),  # traditional
        ("京津冀協同發展", "京津冀协同发展"),
        ("３.８％", "3.8%"),  # full-width
        ("PM２.５", "pm2.5"),
        ("政 府 工 作", "政府工作"),  # stray spaces between characters
    ],
)
def test_normalised_queries_find_the_same(seeded, query, same_as):
    a, b = run(f'"{query}"'), run(f'"{same_as}"')
    assert a.count == b.count > 0
    assert [h.docnum for h in a.hits] == [h.docnum for h in b.hits]


def test_single_characters_are_found(seeded):
    outcome = run("津")
    assert outcome.count > 0 and outcome.hits
    assert all("津" in h.snippet.marked for h in outcome.hits)
    absent = run("鑫")  # a character no seed has: found nowhere, not matched loosely
    assert absent.count == 0 and absent.hits == []


def test_exclude_or_and_grouping(seeded):
    both = run("营商环境 OR 棚户区改造")
    only_a, only_b = run("营商环境"), run("棚户区改造")
    assert both.count >= max(only_a.count, only_b.count)
    excluded = run("棚户区改造 -零散")
    assert 0 < excluded.count < only_b.count and excluded.hits
    searcher = whoosh_engine.get_searcher()
    assert all("零散" not in searcher.stored_fields(h.docnum)["body"] for h in excluded.hits)
    nothing = run("棚户区改造 -征收")  # every such section mentions 征收
    assert nothing.count == 0 and nothing.hits == [] and nothing.grid == {}
    grouped = run("(营商环境 OR 棚户区改造) 年份:2020")
    assert set(grouped.facets_year) == {2020}


def test_api_contract(seeded, client):
    r = client.get(
        "/api/search", {"q": "新增就业", "place": "天津市", "year_from": 2016, "year_to": 2020}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    data = r.json()
    # The contract's keys, and the paging and match details added beside them.
    assert set(data) == {
        "count",
        "results",
        "facets",
        "page",
        "per_page",
        "pages",
        "next",
        "previous",
    }
    assert data["count"] == len(data["results"]) >= 3
    assert (data["page"], data["pages"], data["next"], data["previous"]) == (1, 1, None, None)
    for item in data["results"]:
        assert set(item) == {
            "url",
            "report",
            "place",
            "year",
            "section",
            "snippet",
            "section_id",
            "kind",
            "doc_type",
            "matches",
        }
        assert re.search(r"/r/\w+/v\d+/#p\d+$", item["url"])
        assert re.search(r"/r/\w+/$", item["report"])
        assert item["place"].startswith("天津市") and 2016 <= item["year"] <= 2020
        assert "新增就业" in item["snippet"]
    assert set(data["facets"]) == {"place", "year"}
    assert sum(data["facets"]["place"].values()) == data["count"]
    assert set(data["facets"]["year"]) <= {"2016", "2018", "2020"}


def test_api_pages(seeded, client):
    first = client.get("/api/search", {"q": "的"}).json()
    second = client.get("/api/search", {"q": "的", "page": 2}).json()
    assert first["count"] == second["count"] > 20
    assert len(first["results"]) == 20
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"新增就业'},
        {"q": "(营商环境"},
        {"q": "营商环境 OR"},
        {"q": "-天津"},
        {"q": "营商环境", "year": "abc"},
        {"q": "营商环境", "year_from": 2020, "year_to": 2010},
        {"q": "年份:今年"},
        {"q": "类型:小说"},
        {"q": "x" * 600},
        {},
    ],
)
def test_bad_api_queries_get_a_400_with_a_message(seeded, client, params):
    r = client.get("/api/search", params)
    assert r.status_code == 400
    assert r.json()["error"]


@pytest.mark.parametrize("q", ['"新增就业', "(营商环境", "营商环境 OR", "-天津", "年份:今年"])
def test_bad_queries_get_a_friendly_page(seeded, client, q):
    r = client.get("/search/", {"q": q})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'role="alert"' in page and "search/help/" in page


def test_empty_query_gets_examples(seeded, client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        r = client.get("/", params)
        assert r.status_code == 200
        assert "营商环境" in r.content.decode() and "hit-grid" not in r.content.decode()


def test_zero_results_suggest_what_to_try(seeded, client):
    r = client.get("/search/", {"q": "优化营商环境建设", "place": "河西区"})
    page = r.content.decode()
    assert r.status_code == 200 and "没有找到" in page
    assert "营商环境" in page  # a nearby dictionary word that occurs
    # dropping the place would find nothing either: not offered as a way out
    assert "去掉地区" not in page


@pytest.mark.parametrize(
    "params, offered, link",
    [
        ({"q": "营商环境", "place": "河西区"}, "去掉地区 drop the place: 河西区", "q=%E8%90%A5"),
        (
            {"q": "营商环境 地区:河西区"},
            "去掉 drop “地区:河西区”",
            "q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83&",
        ),
        (
            {"q": "营商环境 年份:2016"},
            "去掉 drop “年份:2016”",
            "q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83&",
        ),
    ],
)
def test_zero_results_offer_dropping_a_filter_that_finds_something(
    seeded, client, params, offered, link
):
    page = client.get("/search/", params).content.decode()
    assert "没有找到" in page
    expected = run("营商环境").count
    assert f"{offered}（{expected} 处 hits）" in page.replace("&quot;", '"')
    assert link in page


def test_help_page(client):
    r = client.get("/search/help/")
    assert r.status_code == 200
    for syntax in ("OR", "地区:", "年份:", "部分:", "类型:"):
        assert syntax in r.content.decode()


def test_sort_by_year(seeded):
    years = [h.year or 0 for h in run("发展", sort="year", grid=False).hits]
    assert years == sorted(years, reverse=True)


def test_list_and_grid_counts_agree(seeded, client):
    outcome = run("发展", grid=True)
    assert sum(outcome.facets_place.values()) == outcome.count
    assert sum(outcome.facets_year.values()) == outcome.count
    api = client.get("/api/search", {"q": "发展"}).json()
    assert api["count"] == outcome.count
    assert json.dumps(api, ensure_ascii=False)


def test_term_over_time_agrees_with_the_grid(seeded, client):
    r = client.get("/search/trend/", {"q": "棚户区改造 新增就业", "by_place": "1"})
    assert r.status_code == 200 and "<svg" in r.content.decode()
    trend = whoosh_engine.trend(["棚户区改造"], parse_query("").filters, by_place=True)
    grid = run("棚户区改造")
    overall = next(row for row in trend.rows if row.place is None)
    assert {y: s for y, (s, _) in overall.years.items()} == {
        y: n for y, n in grid.facets_year.items()
    }
    for row in trend.rows:
        if row.place is not None:
            for year, (sections, occurrences) in row.years.items():
                assert grid.grid[(row.place, year)].count == sections
                assert occurrences >= sections
    csv = client.get("/search/trend/", {"q": "棚户区改造", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "棚户区改造" in csv.content.decode("utf-8-sig")


def test_haystack_searchqueryset_reads_the_same_index(seeded):
    """haystack's own query path works on our schema (jieba words at consecutive positions,
    so its phrase queries match); the pages use search.whoosh_engine for speed and recall."""
    from haystack.query import SearchQuerySet

    found = {r.pk for r in SearchQuerySet().filter(content="营商环境")}
    ours = {h.fields["django_id"] for h in run("营商环境").hits}
    assert found == ours


def test_words_standing_together_rank_above_scattered_words(seeded):
    from search.normalize import normalize

    outcome = run("经济 发展", grid=False, per_page=50)
    searcher = whoosh_engine.get_searcher()
    bodies = [normalize(searcher.stored_fields(h.docnum)["body"]) for h in outcome.hits]
    together = ["经济发展" in body for body in bodies]
    phrase = run("经济发展", grid=False).count
    assert 0 < phrase < outcome.count  # some sections have the words apart only
    assert together[:phrase] == [True] * phrase  # every "经济发展" section comes first
    assert not any(together[phrase:])


def test_ranking_is_whooshs_unpruned_order_across_segments(seeded):
    """whoosh_engine.rank gives the documents Whoosh's own unpruned search scores, best
    first and ties in index order, on an index of several segments."""
    searcher = whoosh_engine.get_searcher()
    assert len(list(searcher.leaf_searchers())) > 1  # offsets between segments are exercised
    for q in ("发展", "营商环境", "经济 发展", "就业", "预期目标 增长"):
        parsed = parse_query(q)
        docs = whoosh_engine.tree_docs(parsed.tree, searcher)
        rq = whoosh_engine.rank_query(parsed.terms, searcher)
        whoosh = {h.docnum: h.score for h in searcher.search(rq, limit=None, optimize=False)}
        expected = sorted((d for d in docs if d in whoosh), key=lambda d: (-whoosh[d], d))
        ranked = whoosh_engine.rank(searcher, rq, docs, len(docs))
        assert ranked and set(ranked) == set(expected), q
        scores = [whoosh[d] for d in ranked]
        assert scores == pytest.approx(sorted(scores, reverse=True), rel=1e-12), q
        assert whoosh_engine.rank(searcher, rq, docs, 7) == ranked[:7]


def test_words_in_most_sections_do_not_rank(seeded):
    searcher = whoosh_engine.get_searcher()
    total = searcher.doc_count()
    common = max(("发展", "工作", "建设"), key=lambda w: searcher.doc_frequency("text", w))
    rare = "棚户区"
    assert searcher.doc_frequency("text", common) / total > whoosh_engine.COMMON_WORD_SHARE
    assert 0 < searcher.doc_frequency("text", rare) / total <= whoosh_engine.COMMON_WORD_SHARE
    assert whoosh_engine.discriminating([common, rare], searcher) == [rare]
    assert whoosh_engine.discriminating([common], searcher) == [common]  # one word always ranks


@pytest.mark.parametrize("filters", [{}, {"year": 2016}, {"place": "天津市", "year_from": 2010}])
def test_a_grid_cells_link_carries_the_search_once_and_the_cell(seeded, client, filters):
    from urllib.parse import parse_qs

    params = {"q": "发展", "view": "grid", **filters}
    outcome = client.get("/search/", params).context["outcome"]
    assert outcome.grid
    for (place, year), cell in outcome.grid.items():
        query = parse_qs(cell.url[1:])
        assert all(len(values) == 1 for values in query.values()), cell.url
        assert query["view"] == ["list"] and query["q"] == ["发展"]
        assert all(query[k] == [str(v)] for k, v in filters.items() if k != "year")
        assert query.get("year", query.get("year_unknown")) == [str(year) if year else "1"]
        assert query.get("place_exact", query.get("place_unknown")) == [
            place or "1"  # results.UNKNOWN_PLACE is ""
        ]
        assert client.get("/search/" + cell.url).context["outcome"].count == cell.count

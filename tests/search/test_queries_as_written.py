"""Queries as people write them, on the real archive: words that are also operators, section
numbers in ASCII parentheses, a stray quotation mark, text that looks like a filter, a year
among the words, and words that occur apart rather than side by side."""

from __future__ import annotations

import pytest

from search import whoosh_engine

pytestmark = pytest.mark.django_db


def api(client, **params) -> dict:
    r = client.get("/api/search", params)
    assert r.status_code == 200, r.content[:300]
    return r.json()


def sections_with(text: str) -> int:
    return len(whoosh_engine.term_docs(text, whoosh_engine.get_searcher()))


def test_words_apart_are_found_with_a_note_and_a_way_back(real_archive, client):
    assert api(client, q="GDP增长目标")["count"] == 0  # never side by side in the archive
    loose = api(client, q="GDP 增长 目标")["count"]
    assert loose > 0
    page = client.get("/search/", {"q": "GDP增长目标", "view": "list"})
    assert page.context["outcome"].count == loose
    assert page.context["relaxed"]["words"] == ["gdp", "增长", "目标"]
    html = page.content.decode()
    assert "没有段落原样含有" in html and "只按原样查" in html
    exact = client.get("/search/" + page.context["relaxed"]["exact_url"])
    assert exact.context["outcome"].count == 0 and "relaxed" not in exact.context


def test_a_query_found_as_written_is_not_relaxed(real_archive, client):
    page = client.get("/search/", {"q": "营商环境", "view": "list"})
    assert page.context["outcome"].count == api(client, q="营商环境")["count"] > 0
    assert "relaxed" not in page.context


def test_huo_is_a_word_unless_it_stands_between_two_words(real_archive, client):
    assert api(client, q="或")["count"] == sections_with("或") > 0
    assert api(client, q="或 民生")["count"] == len(
        whoosh_engine.term_docs("或", whoosh_engine.get_searcher())
        & whoosh_engine.term_docs("民生", whoosh_engine.get_searcher())
    )
    either = api(client, q="营商环境 或 放管服")["count"]
    assert (
        either == api(client, q="营商环境 OR 放管服")["count"] > api(client, q="营商环境")["count"]
    )


@pytest.mark.parametrize("typed", ["(一)", "（一）"])
def test_a_section_number_in_parentheses_is_text(real_archive, client, typed):
    found = api(client, q=typed)["count"]
    assert found == sections_with("(一)") > 0
    assert found < sections_with("一")


@pytest.mark.parametrize("q", ["“", '"', "”", "「", "」", "』"])
def test_a_lone_quotation_mark_is_searched_not_refused(real_archive, client, q):
    assert api(client, q=q)["count"] == sections_with(q)
    assert client.get("/search/", {"q": q}).status_code == 200


def test_text_that_looks_like_a_filter_is_not_one(real_archive, client):
    as_text = api(client, q="年:1978")
    assert as_text["count"] == sections_with("年:1978")
    assert as_text["count"] != api(client, year=1978)["count"]
    # the written syntax still filters
    assert api(client, q="年份:1978")["count"] == api(client, year=1978)["count"] > 0


def test_a_year_among_the_words_is_offered_as_a_filter(real_archive, client):
    page = client.get("/search/", {"q": "棚户区改造 2016", "view": "list"})
    offers = page.context["year_offers"]
    assert len(offers) == 1 and "2016" in offers[0][0]
    followed = client.get("/search/" + offers[0][1]).context["outcome"]
    assert followed.count == api(client, q="棚户区改造", year=2016)["count"] > 0


@pytest.mark.parametrize(
    "q",
    [
        '"新增就业',
        "(营商环境",
        "营商环境)",
        "OR",
        "营商环境 OR",
        "-",
        "--",
        "地区:",
        "年份:abc",
        "部分:xyz",
        "((((",
        '""',
        "“”",
        "或或",
        "| |",
        "(一",
        "年份:2020-1990",
    ],
)
def test_odd_queries_get_an_answer_never_a_500(real_archive, client, q):
    for url in ("/search/", "/api/search", "/search/trend/"):
        r = client.get(url, {"q": q})
        assert r.status_code in (200, 400), (url, q, r.status_code)
        if r.status_code == 400 and url != "/api/search":
            assert "search-error" in r.content.decode()

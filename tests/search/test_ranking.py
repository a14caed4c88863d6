"""Ranking on the real archive: adjacency in any order first, target sections boosted only
for queries about targets or numbers, length normalisation tuned so that sections with more
mentions are not beaten by very short ones."""

from __future__ import annotations

import random

import pytest
from whoosh import scoring

from search import whoosh_engine
from search.analysis import dictionary_words
from search.normalize import normalize
from search.query import parse_query

pytestmark = pytest.mark.django_db


def order(q: str, searcher=None) -> list[int]:
    searcher = searcher or whoosh_engine.get_searcher()
    parsed = parse_query(q)
    docs = whoosh_engine.matching_docnums(parsed, searcher)
    return whoosh_engine.ranking(parsed, docs, len(docs), "relevance", searcher)


def bodies(searcher) -> dict[int, str]:
    return {d: normalize(f.get("body", "")) for d, f in searcher.reader().iter_docs()}


@pytest.mark.parametrize("q", ["经济 发展", "发展 经济", "生活 人民", "新增 就业"])
def test_words_side_by_side_in_any_order_come_first(real_archive, q):
    searcher = whoosh_engine.get_searcher()
    text = bodies(searcher)
    a, b = q.split()
    ranked = order(q)
    adjacent = [a + b in text[d] or b + a in text[d] for d in ranked]
    assert any(adjacent) and not all(adjacent)
    first_scattered = adjacent.index(False)
    assert all(adjacent[:first_scattered]) and not any(adjacent[first_scattered:])


@pytest.mark.parametrize(
    "q, boosted",
    [("民生", False), ("营商环境", False), ("预期目标", True), ("增长 6.5%", True), ("GDP", False)],
)
def test_target_sections_are_boosted_only_for_target_or_number_queries(real_archive, q, boosted):
    rq = whoosh_engine.rank_query(parse_query(q).terms, whoosh_engine.get_searcher())
    kinds = [s for s in rq.subqueries if getattr(s, "fieldname", "") == "kind"]
    assert bool(kinds) == boosted


def _inversions(searcher, queries, text) -> float:
    inv = pairs = 0
    for q in queries:
        mentions = [text[d].count(normalize(q)) for d in order(q, searcher)[:20]]
        for i in range(len(mentions)):
            for j in range(i + 1, len(mentions)):
                pairs += 1
                inv += mentions[j] > mentions[i]
    return inv / pairs


def test_length_normalisation_is_tuned_on_the_archive(real_archive):
    """Among the top 20 of sampled dictionary words, fewer pairs have the section with more
    mentions below the one with fewer than with Whoosh's default (B=0.75)."""
    searcher = whoosh_engine.get_searcher()
    text = bodies(searcher)
    words = sorted({w for w, _ in dictionary_words() if len(w) >= 2})
    random.Random(5).shuffle(words)
    queries = [w for w in words if 10 <= len(whoosh_engine.term_docs(w, searcher)) <= 400][:40]
    assert len(queries) >= 20
    tuned = _inversions(searcher, queries, text)
    default = _inversions(
        whoosh_engine.holder.index.searcher(weighting=scoring.BM25F()), queries, text
    )
    print(
        f"\ninversions: default B=0.75 {default:.3f}, tuned B={whoosh_engine.RANKING_B} {tuned:.3f}"
    )
    assert tuned < default

"""search.bm25 against Whoosh's own scoring, on a Whoosh index of several segments with
deletions, per-field B, a boosted field and a field that is not scorable."""

from __future__ import annotations

import random

import pytest
from whoosh import fields, scoring
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import create_in

from search import bm25
from search.lru import KeptArrays

WORDS = [f"w{i}" for i in range(40)]


@pytest.fixture
def index(tmp_path):
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=SpaceSeparatedTokenizer()),
        title=fields.TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=2.0),
        kind=fields.KEYWORD(),  # not scorable: a posting scores its weight
        tags=fields.KEYWORD(scorable=True),
    )
    ix = create_in(str(tmp_path), schema)
    rng = random.Random(7)
    n = 0
    for _segment in range(4):
        writer = ix.writer()
        for _ in range(rng.randint(60, 400)):
            # Zipf-like word choice: some words in most documents, some in a few
            words = [
                WORDS[min(int(rng.paretovariate(1.2)) - 1, 39)] for _ in range(rng.randint(1, 300))
            ]
            writer.add_document(
                id=str(n),
                text=" ".join(words),
                title=" ".join(rng.sample(WORDS[:10], rng.randint(0, 3))),
                kind=rng.choice(["targets", "review", "other"]),
                tags=" ".join(rng.sample(WORDS[:5], rng.randint(1, 3))),
            )
            n += 1
        writer.commit(merge=False)
    writer = ix.writer()
    for doc in rng.sample(range(n), n // 10):
        writer.delete_by_term("id", str(doc))
    writer.commit(merge=False)
    bm25.forget()
    yield ix
    bm25.forget()


def random_query(rng) -> list[wq.Term]:
    terms = []
    for w in rng.sample(WORDS[:25], rng.randint(1, 4)):
        terms.append(wq.Term("text", w))
        terms.append(wq.Term("title", w, boost=2.0))
    if rng.random() < 0.5:
        terms.append(wq.Term("kind", "targets", boost=0.5))
    if rng.random() < 0.5:
        terms.append(wq.Term("tags", rng.choice(WORDS[:5])))
    terms.append(wq.Term("text", "absent"))  # a word no segment has
    return terms


@pytest.mark.parametrize(
    "weighting",
    [scoring.BM25F(), scoring.BM25F(B=0.3, K1=1.2), scoring.BM25F(B=0.3, title_B=0.9)],
)
def test_scores_are_whooshs_own(index, weighting):
    rng = random.Random(11)
    with index.searcher(weighting=weighting) as searcher:
        assert len(searcher.leaf_searchers()) == 4
        live = set(searcher.reader().all_doc_ids())
        for _ in range(60):
            terms = random_query(rng)
            hits = searcher.search(wq.Or(terms), limit=None, optimize=False)
            whoosh = {h.docnum: h.score for h in hits}
            total, matched = bm25.query_scores(searcher, terms, weighting)
            assert {d for d in live if matched[d]} == set(whoosh)
            for d, score in whoosh.items():
                assert total[d] == pytest.approx(score, rel=1e-12, abs=0)


def test_best_is_a_prefix_of_one_order(index):
    rng = random.Random(3)
    weighting = scoring.BM25F(B=0.3)
    with index.searcher(weighting=weighting) as searcher:
        live = sorted(searcher.reader().all_doc_ids())
        for _ in range(30):
            terms = random_query(rng)
            docs = set(rng.sample(live, rng.randint(1, len(live))))
            whoosh = {
                h.docnum: h.score for h in searcher.search(wq.Or(terms), limit=None, optimize=False)
            }
            everything = bm25.best(searcher, terms, weighting, docs, len(docs))
            assert set(everything) == {d for d in docs if d in whoosh}
            scores = [whoosh[d] for d in everything]
            assert scores == pytest.approx(sorted(scores, reverse=True), rel=1e-12)
            total, _ = bm25.query_scores(searcher, terms, weighting)
            keys = [(-total[d], d) for d in everything]
            assert keys == sorted(keys)  # ties in document order
            for limit in (1, 5, 20, 100):
                assert bm25.best(searcher, terms, weighting, docs, limit) == everything[:limit]


def test_field_lengths_are_whooshs(index):
    with index.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            for name in ("text", "title", "tags"):
                lengths = bm25.segment_lengths(reader, name)
                assert len(lengths) == reader.doc_count_all()
                for d in range(reader.doc_count_all()):
                    assert lengths[d] == (reader.doc_field_length(d, name) or 0)


def test_kept_arrays_stay_within_their_bound(index, monkeypatch):
    monkeypatch.setattr(bm25, "_postings", KeptArrays(500))
    with index.searcher() as searcher:
        first = None
        for w in WORDS[:30]:
            for leaf, _ in searcher.leaf_searchers():
                ids, _ = bm25.segment_postings(leaf.reader(), "text", w.encode())
                first = first or (leaf.reader(), w)
        assert bm25._postings.size <= 500 or len(bm25._postings.items) == 1
        # an evicted term is read again, the same (deleted documents included)
        reader, w = first
        again = bm25.segment_postings(reader, "text", w.encode())
        live = [int(d) for d in again[0] if not reader.is_deleted(int(d))]
        assert live == list(reader.postings("text", w.encode()).all_ids())
        assert len(again[0]) > len(live)

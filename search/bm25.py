"""BM25F scores of a ranking query for every document at once, with numpy.

Whoosh scores a query one posting at a time, in Python: a matcher tree per segment, a
scorer call and a field-length lookup per posting (about 4 µs each). A word in most of the
sections of 10,000 reports has 80,000 postings, so ranking a broad query (改革, 民生) took
a quarter to a third of a second, most of a search page's time. Here the same scores are
computed from arrays: each segment's postings of a word (document numbers and weights) and
its field lengths are read once, block by block, and kept, since a segment never changes
(deletions only hide documents, and ranking only ever looks at live ones); the global
statistics (idf, average field length) are read from the searcher for each query, because
every publish changes them. The formula and the order of its operations are Whoosh's
(scoring.bm25), so each word's score is bit for bit Whoosh's; the words' scores are added
in query order rather than in Whoosh's tree order, which can differ in the last bit.

The arrays come from Whoosh 2.7's segment internals (the W3 codec's posting blocks and its
field-length column), which the pinned version fixes; tests compare every score with
Whoosh's own, across segments and deletions.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search.lru import KeptArrays

# Postings (document numbers and weights) kept per worker: 12 bytes each, so at most
# 36 MB; the ranking words of the 25 benchmark queries at 10,000 reports have 0.5 million.
POSTINGS_KEPT = 3_000_000
# Field lengths, 4 bytes per document and scorable field (text, title): 16 MB at most.
LENGTHS_KEPT = 4_000_000

# Whoosh's decoded lengths are whole numbers below 2**17: float32 holds them exactly.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


_postings = KeptArrays(POSTINGS_KEPT)
_lengths = KeptArrays(LENGTHS_KEPT)


def forget() -> None:
    """Drop every kept array (tests that compare against a fresh read)."""
    _postings.clear()
    _lengths.clear()


def segment_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of one term in one segment, deleted documents included."""
    key = (reader.segment().segment_id(), fieldname, btext)
    kept = _postings.get(key)
    if kept is not None:
        return kept
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if (fieldname, btext) in reader:
        matcher = reader.postings(fieldname, btext)
        if isinstance(matcher, FilterMatcher):  # the segment's deletions: see the docstring
            matcher = matcher.child
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
    value = (
        np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32),
        np.concatenate(weights) if weights else np.zeros(0),
    )
    _postings.put(key, value, len(value[0]) + 1)
    return value


def segment_lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length of `fieldname` in one segment, as Whoosh stores it (one byte,
    logarithmic) and decodes it."""
    key = (reader.segment().segment_id(), fieldname)
    kept = _lengths.get(key)
    if kept is not None:
        return kept
    count = reader.doc_count_all()
    codes = np.zeros(count, dtype=np.uint8)
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        stored = min(column._count, count)  # documents past the end have the default, 0
        if stored:
            raw = column._dbfile.get(column._basepos, stored)
            codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
    value = _LENGTH_OF_BYTE[codes]
    _lengths.put(key, value, len(value) + 1)
    return value


def term_scores(searcher, term: wq.Term, weighting: BM25F) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, scores) of one ranking term over the whole index, as Whoosh's
    BM25F (or, for a field that is not scorable, its posting weight) times the boost."""
    field = searcher.schema[term.fieldname] if term.fieldname in searcher.schema else None
    if field is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    try:
        btext = field.to_bytes(term.text)
    except ValueError:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    if field.scorable:
        idf = searcher.idf(term.fieldname, btext)
        avgfl = searcher.avg_field_length(term.fieldname) or 1
        B = weighting._field_B.get(term.fieldname, weighting.B)
        K1 = weighting.K1
    for leaf, offset in searcher.leaf_searchers():  # [(searcher, 0)] for one segment
        reader = leaf.reader()
        docs, weights = segment_postings(reader, term.fieldname, btext)
        if not len(docs):
            continue
        tf = weights
        if field.scorable:
            fl = segment_lengths(reader, term.fieldname)[docs].astype(np.float64)
            # scoring.bm25, the same operations in the same order
            score = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        else:
            score = tf
        if term.boost != 1.0:
            score = score * term.boost
        ids.append(docs.astype(np.int64) + offset)
        scores.append(score)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(scores)


def query_scores(searcher, terms: Iterable[wq.Term], weighting: BM25F):
    """(score, matched) arrays over every document number of `searcher`: the sum of the
    scores of the terms a document has, and whether it has any (the documents an Or of the
    terms matches)."""
    n = searcher.doc_count_all()
    total = np.zeros(n)
    matched = np.zeros(n, dtype=bool)
    for term in terms:
        ids, scores = term_scores(searcher, term, weighting)
        total[ids] += scores  # a term's document numbers are distinct
        matched[ids] = True
    return total, matched


def best(
    searcher, terms: list[wq.Term], weighting: BM25F, docs: Iterable[int], limit: int
) -> list[int]:
    """The best `limit` of `docs` that any of `terms` matches, by score, ties in document
    order (so the first n of a longer ranking are exactly a shorter one)."""
    candidates = np.fromiter(docs, dtype=np.int64)
    if not len(candidates) or limit <= 0:
        return []
    total, matched = query_scores(searcher, terms, weighting)
    candidates = candidates[matched[candidates]]
    scores = total[candidates]
    if limit < len(candidates):
        # Only the candidates scoring at least the limit-th best can be in the answer.
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= cut
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:limit]
    return candidates[order].tolist()

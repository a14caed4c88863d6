"""Running a parsed query against Elasticsearch: the same interface and results as
search.whoosh_engine (Whoosh), for when the index lives on a search server (search.opensearch_backend).

    run(parsed, page=, per_page=, sort=, grid=) -> engine.Outcome
    suggestions(parsed) -> list[str]
    trend(terms, filters, by_place) -> engine.Trend

What matches is decided the same way as with Whoosh: every term is an exact substring of the
normalised section text, here a `match_phrase` of the term's character tokens on the recall
field (search.recall.char_tokens, made in Python), combined by a bool query in filter
context; filters are `terms`/`range` clauses. Ranking adds optional `should` clauses on the
jieba words (text, title ×2, the term as a phrase of words ×2, target sections ×0.5). Counts
are exact (`track_total_hits`), facets and the district × year grid are aggregations (a
composite over place and year with the cell's best hit), and snippets and marks are cut in
Python from the stored body by search.highlight, exactly as search.whoosh_engine does: the marks
cannot differ between engines. A hit's `docnum` is the document's Elasticsearch `_id`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from search.analysis import dictionary_words, jieba_words
from search.highlight import make_snippet
from search.opensearch_backend import (
    CHARS,
    DISPLAY,
    GENERATION_KEY,
    WORDS,
    YEAR_ORDER,
    get_backend,
)
from search.query import (
    And,
    Filters,
    Not,
    Or,
    ParsedQuery,
    Term,
    place_filter_keys,
    query_label,
    query_row_needed,
)
from search.recall import OccurrenceCounter, char_tokens
from search.results import (
    GRID_MAX_COLS,
    GRID_MAX_ROWS,
    GRID_SNIPPETS,
    MAX_PAGE,
    TREND_MAX_SCAN,
    UNKNOWN_PLACE,
    Cell,
    Hit,
    Outcome,
    Trend,
    TrendRow,
)
from search.units import best_paragraph, version_offsets

FACET_SIZE = 10_000  # every place and year (terms aggregations need a size)
COMPOSITE_PAGE = 1_000  # cells per composite page (more are fetched with `after`)
SUGGESTION_CANDIDATES = 40  # dictionary words checked for suggestions, in one request


# --- compiling ---------------------------------------------------------------------------------


def match_query(term: str, field: str) -> dict:
    """Sections containing `term` (normalised) as an exact substring."""
    return {"match_phrase": {field: {"query": char_tokens(term)}}}


def compile_tree(node, field: str) -> dict:
    if isinstance(node, Term):
        return match_query(node.text, field)
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [compile_tree(c, field) for c in node.children],
                "minimum_should_match": 1,
            }
        }
    if isinstance(node, And):
        pos = [compile_tree(c, field) for c in node.children if not isinstance(c, Not)]
        neg = [compile_tree(c.child, field) for c in node.children if isinstance(c, Not)]
        out: dict = {"filter": pos}
        if neg:
            out["must_not"] = neg
        return {"bool": out}
    if isinstance(node, Not):  # a lone exclusion is refused by the parser
        return {"match_none": {}}
    raise TypeError(node)


def filter_clauses(f: Filters) -> list[dict]:
    out: list[dict] = []
    for p in f.places:
        out.append({"terms": {"places": place_filter_keys(p)}})
    if f.year_from is not None or f.year_to is not None:
        # An unknown year is indexed as 0: an open range ("up to 1960") must not take it in.
        years = {"gte": f.year_from if f.year_from is not None else 1}
        if f.year_to is not None:
            years["lte"] = f.year_to
        out.append({"range": {"year": years}})
    if f.year_unknown:
        out.append({"term": {"year": 0}})
    if f.exact_place is not None:
        out.append({"term": {"place": f.exact_place}})
    if f.doc_types:
        out.append({"terms": {"doc_type": list(f.doc_types)}})
    if f.kinds:
        out.append({"terms": {"kind": list(f.kinds)}})
    return out


def rank_clauses(terms: list[Term]) -> list[dict]:
    """Optional clauses that score (never decide) a match, as search.whoosh_engine.rank_query."""
    words: list[str] = []
    for t in terms:
        for w, _, _ in jieba_words(t.text):
            if w not in words:
                words.append(w)
    subs: list[dict] = []
    for w in words:
        subs.append({"term": {"text": {"value": w}}})
        subs.append({"term": {"title": {"value": w, "boost": 2.0}}})
    for t in terms:
        tw = [w for w, _, _ in jieba_words(t.text)]
        if len(t.text) > 1 and len(tw) > 1:
            subs.append({"match_phrase": {"text": {"query": " ".join(tw), "boost": 2.0}}})
    if subs:
        subs.append({"term": {"kind": {"value": "targets", "boost": 0.5}}})
    return subs


def build_query(parsed: ParsedQuery, field: str) -> dict:
    """The whole query: matching and filters in filter context, ranking as `should`."""
    clauses = [compile_tree(parsed.tree, field)] if parsed.tree is not None else []
    clauses += filter_clauses(parsed.filters)
    should = rank_clauses(parsed.terms) if parsed.terms else []
    if not clauses and not should:
        return {"match_all": {}}
    out: dict = {}
    if clauses:
        out["filter"] = clauses
    if should:
        out["should"] = should
    return {"bool": out}


def sort_spec(sort: str) -> list:
    """As search.whoosh_engine: best first, or by year, unknown years last either way. No script
    sort: that needs the lang-painless module, which minimal OpenSearch nodes lack."""
    if sort == "year":  # an unknown year is indexed as 0: last when newest come first
        return [{"year": {"order": "desc"}}, {"django_id": {"order": "asc"}}]
    if sort == "year_asc":  # ... and by YEAR_ORDER (unknown = 9999) when oldest come first
        return [{YEAR_ORDER: {"order": "asc"}}, {"django_id": {"order": "asc"}}]
    return [{"_score": {"order": "desc"}}, {"django_id": {"order": "asc"}}]


def source_filter(backend) -> dict:
    """Hits carry what the page shows, not the token strings."""
    return {"excludes": sorted(n for n, r in backend.roles().items() if r in (WORDS, CHARS))}


# --- results -----------------------------------------------------------------------------------


def make_hit(doc_id: str, source: dict, terms: list[str]) -> Hit:
    """As search.whoosh_engine.make_hit, from a document's `_source`."""
    fields = dict(source)
    fields.update(fields.pop(DISPLAY, None) or {})
    body = fields.pop("body", "")
    snip = make_snippet(body, terms)
    paragraph = best_paragraph(fields, snip)
    matches = version_offsets(fields.get("segments"), snip.occurrences)
    fields.pop("segments", None)
    fields.pop("paragraphs", None)
    return Hit(doc_id, fields, snip, paragraph, matches)


def ranked_fields(parsed: ParsedQuery, sort: str = "relevance"):
    """As WhooshEngine.ranked_fields: every hit's stored fields in the list's order, read in
    pages of 1,000 with a scroll that keeps the sort (the keyword-in-context export)."""
    from search.opensearch_client import helpers

    backend = get_backend()
    body = {
        "query": build_query(parsed, backend.recall_field()),
        "sort": sort_spec(sort),
        "_source": source_filter(backend),
        "track_scores": True,
    }
    for hit in helpers.scan(
        backend.conn, index=backend.index_name, query=body, preserve_order=True, size=1000
    ):
        fields = dict(hit["_source"])
        fields.update(fields.pop(DISPLAY, None) or {})
        yield fields


def _place(key) -> str:
    return key or UNKNOWN_PLACE


def _year(key) -> int | None:
    return int(key) if key else None


def _cells_agg(sort: str, best: bool = True) -> dict:
    agg: dict = {
        "composite": {
            "size": COMPOSITE_PAGE,
            "sources": [
                {"place": {"terms": {"field": "place", "missing_bucket": True}}},
                {"year": {"terms": {"field": "year", "missing_bucket": True}}},
            ],
        }
    }
    if best:
        agg["aggs"] = {"best": {"top_hits": {"size": 1, "sort": sort_spec(sort), "_source": False}}}
    return agg


def _all_cells(conn, index: str, query: dict, first: dict, agg: dict) -> list[dict]:
    """Every bucket of the composite aggregation `cells`: the first page from the main
    response, the rest with `after`."""
    buckets = list(first["buckets"])
    after = first.get("after_key")
    while after and len(first["buckets"]) >= agg["composite"]["size"]:
        page_agg = {**agg, "composite": {**agg["composite"], "after": after}}
        resp = conn.search(
            index=index, body={"size": 0, "query": query, "aggs": {"cells": page_agg}}
        )
        first = resp["aggregations"]["cells"]
        buckets.extend(first["buckets"])
        after = first.get("after_key")
    return buckets


def run(
    parsed: ParsedQuery,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    grid: bool = True,
) -> Outcome:
    backend = get_backend()
    conn, index = backend.conn, backend.index_name
    terms = [t.text for t in parsed.terms]
    query = build_query(parsed, backend.recall_field())
    page = max(1, min(page, MAX_PAGE))
    aggs: dict = {
        "place": {"terms": {"field": "place", "size": FACET_SIZE, "missing": ""}},
        "year": {"terms": {"field": "year", "size": FACET_SIZE, "missing": 0}},
    }
    if grid:
        aggs["cells"] = _cells_agg(sort)
    body = {
        "query": query,
        "track_total_hits": True,
        "from": (page - 1) * per_page,
        "size": per_page,
        "sort": sort_spec(sort),
        "_source": source_filter(backend),
        "aggs": aggs,
    }
    resp = conn.search(index=index, body=body)
    found = resp["aggregations"]
    facets_place: Counter = Counter()
    for b in found["place"]["buckets"]:
        facets_place[_place(b["key"])] += b["doc_count"]
    facets_year: Counter = Counter()
    for b in found["year"]["buckets"]:
        facets_year[_year(b["key"])] += b["doc_count"]
    hits = [make_hit(h["_id"], h.get("_source") or {}, terms) for h in resp["hits"]["hits"]]
    outcome = Outcome(
        resp["hits"]["total"]["value"],
        hits,
        page,
        per_page,
        dict(sorted(facets_place.items(), key=lambda kv: (-kv[1], kv[0]))),
        dict(sorted(facets_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
        terms,
    )
    if grid:
        buckets = _all_cells(conn, index, query, found["cells"], aggs["cells"])
        build_grid(outcome, backend, buckets, terms, sort)
    return outcome


def build_grid(outcome: Outcome, backend, buckets: list[dict], terms: list[str], sort: str):
    """As search.whoosh_engine.build_grid: rows of places, columns of years, every cell its count,
    and (for the GRID_SNIPPETS cells with the best hits, then the busiest) its best hit."""
    cells: dict = {}
    for b in buckets:
        key = (_place(b["key"]["place"]), _year(b["key"]["year"]))
        top = (b.get("best") or {}).get("hits", {}).get("hits") or [{}]
        count, best_id, score = cells.get(key, (0, None, None))
        cells[key] = (count + b["doc_count"], best_id or top[0].get("_id"), top[0].get("_score"))
    rows = sorted({p for p, _ in cells}, key=lambda p: (p == UNKNOWN_PLACE, p))
    cols = sorted({y for _, y in cells}, key=lambda y: (y is None, y or 0))
    if len(rows) > GRID_MAX_ROWS or len(cols) > GRID_MAX_COLS:
        outcome.grid_truncated = True
        rows = sorted(rows, key=lambda p: -outcome.facets_place.get(p, 0))[:GRID_MAX_ROWS]
        rows.sort(key=lambda p: (p == UNKNOWN_PLACE, p))
        cols = cols[-GRID_MAX_COLS:]
    shown = [k for k in cells if k[0] in rows and k[1] in cols]
    if sort not in ("year", "year_asc"):
        shown.sort(key=lambda k: (-(cells[k][2] or 0.0), -cells[k][0]))
    else:
        shown.sort(key=lambda k: -cells[k][0])
    with_snippet = [cells[k][1] for k in shown[:GRID_SNIPPETS] if cells[k][1]]
    sources = {}
    if with_snippet:
        resp = backend.conn.mget(
            index=backend.index_name,
            body={"ids": with_snippet},
            _source_excludes=source_filter(backend)["excludes"],
        )
        sources = {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}
    for i, key in enumerate(shown):
        count, best_id, _ = cells[key]
        best = None
        if i < GRID_SNIPPETS and best_id in sources:
            best = make_hit(best_id, sources[best_id], terms)
        outcome.grid[key] = Cell(count, best)
    outcome.grid_rows, outcome.grid_cols = rows, cols


# --- suggestions -------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def suggestions(parsed: ParsedQuery, limit: int = 6) -> list[str]:
    """As search.whoosh_engine.suggestions: a long term split into jieba words, and dictionary words
    near the terms that occur in the index (checked together in one request)."""
    out: list[str] = []
    for t in parsed.terms:
        words = [w for w, _, _ in jieba_words(t.text)]
        if len(words) > 1:
            out.append(" ".join(words))
    term_grams = set().union(*(_bigrams(t.text) for t in parsed.terms)) if parsed.terms else set()
    scored = []
    for word, _ in dictionary_words():
        overlap = len(_bigrams(word) & term_grams)
        if overlap and word not in [t.text for t in parsed.terms]:
            scored.append((-overlap, len(word), word))
    candidates = [w for _, _, w in sorted(scored)][:SUGGESTION_CANDIDATES]
    if candidates and len(out) < limit:
        backend = get_backend()
        field = backend.recall_field()
        resp = backend.conn.search(
            index=backend.index_name,
            body={
                "size": 0,
                "aggs": {
                    "words": {
                        "filters": {
                            "filters": {
                                str(i): match_query(w, field) for i, w in enumerate(candidates)
                            }
                        }
                    }
                },
            },
        )
        counts = resp["aggregations"]["words"]["buckets"]
        for i, word in enumerate(candidates):
            if len(out) >= limit:
                break
            if counts.get(str(i), {}).get("doc_count"):
                out.append(word)
    return out[:limit]


# --- term over time ----------------------------------------------------------------------------


def _filtered(filters: Filters, extra: list[dict] = ()) -> dict:
    clauses = [*extra, *filter_clauses(filters)]
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def trend(
    terms: list[str],
    filters: Filters,
    by_place: bool = False,
    query: ParsedQuery | None = None,
) -> Trend:
    """As search.whoosh_engine.trend: sections and occurrences of each term per year (and place),
    occurrences counted on the recall field's tokens (the normalised text as indexed, in
    `_source`) by the same search.recall.OccurrenceCounter; with `query`, among the sections
    the whole query matches, and a first row for the query itself. The same budget
    (results.TREND_MAX_SCAN): past it, exact section counts only."""
    from search.opensearch_client import helpers

    scan = helpers.scan

    backend = get_backend()
    conn, index = backend.conn, backend.index_name
    field = backend.recall_field()
    matched = [compile_tree(query.tree, field)] if query is not None and query.tree else []
    # The rate's denominator is all the text under the filters, matched or not (as Whoosh).
    base = _filtered(filters)
    agg = _cells_agg("relevance", best=False)
    agg["aggs"] = {"chars": {"sum": {"field": "length"}}}
    resp = conn.search(index=index, body={"size": 0, "query": base, "aggs": {"cells": agg}})
    chars: Counter = Counter()
    for b in _all_cells(conn, index, base, resp["aggregations"]["cells"], agg):
        place, year = _place(b["key"]["place"]), _year(b["key"]["year"])
        n = int(b["chars"]["value"] or 0)
        chars[(None, year)] += n
        if by_place:
            chars[(place, year)] += n
    rows_for = [(t, [t], [match_query(t, field)]) for t in terms]
    if query is not None and query_row_needed(query):
        rows_for.insert(0, (query_label(query), [t.text for t in query.terms], []))
    counters = [OccurrenceCounter(counted) for _, counted, _ in rows_for]
    # The work the counts would take, from the rows' matched lengths (one request per row).
    volume = 0
    for counter, (_, _, extra) in zip(counters, rows_for, strict=True):
        body = {
            "size": 0,
            "query": _filtered(filters, [*matched, *extra]),
            "aggs": {"chars": {"sum": {"field": "length"}}},
        }
        got = conn.search(index=index, body=body)["aggregations"]["chars"]["value"] or 0
        volume += len(counter.terms) * int(got)
    counted_ok = volume <= TREND_MAX_SCAN
    source = ["place", "year", *([field] if counted_ok else [])]
    rows: list[TrendRow] = []
    for (term, _, extra), counter in zip(rows_for, counters, strict=True):
        total: dict = defaultdict(lambda: [0, 0])
        per_place: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for hit in scan(
            conn,
            index=index,
            query={"query": _filtered(filters, [*matched, *extra]), "_source": source},
            size=500,
        ):
            src = hit["_source"]
            place, year = _place(src.get("place")), _year(src.get("year"))
            n = counter.count_tokens(src.get(field, "").encode("ascii")) if counted_ok else 0
            total[year][0] += 1
            total[year][1] += n
            if by_place:
                per_place[place][year][0] += 1
                per_place[place][year][1] += n
        rows.append(TrendRow(term, None, {y: tuple(v) for y, v in total.items()}))
        for place in sorted(per_place):
            rows.append(TrendRow(term, place, {y: tuple(v) for y, v in per_place[place].items()}))
    years = sorted({y for (_, y) in chars}, key=lambda y: (y is None, y or 0))
    return Trend(terms, years, dict(chars), rows, occurrences_counted=counted_ok, scan=volume)


# --- health and the index's version -----------------------------------------------------------


def check_index() -> dict:
    """As search.health.check_whoosh_index, for the search server: can this host search? (the
    number of documents behind the alias, one cheap request)."""
    import hashlib
    import logging
    import time

    start = time.perf_counter()
    try:
        backend = get_backend()
        documents = backend.conn.count(index=backend.index_name)["count"]
        version = index_version()
    except Exception as e:  # unreachable, refused, no index: all mean "cannot search"
        logging.getLogger(__name__).error("health: search server: %r", e)
        return {"ok": False, "error": f"search server unavailable: {type(e).__name__}"}
    return {
        "ok": True,
        "engine": "elasticsearch",
        "documents": documents,
        "version": hashlib.sha256(version.encode()).hexdigest()[:16],
        "ms": round((time.perf_counter() - start) * 1000, 1),
    }


# --- the index's version, for the results cache ------------------------------------------------


def index_version() -> str:
    """A token that changes with every write through search.opensearch_backend and with every rebuild
    (search.cache keys cached results by it instead of the Whoosh folder's generation).

    The server is asked which concrete index the alias names, one small request: a rebuild
    moves the alias, and a server that cannot answer gives "unavailable", so that a cached
    answer is never served as fresh while the engine is down (the page answers 503 instead)."""
    from django.core.cache import cache

    backend = get_backend()
    try:
        concrete = sorted(backend.conn.indices.get_alias(name=backend.index_name))
    except Exception:  # unreachable, timed out, no such alias: nothing here is current
        return "unavailable"
    return f"es:{','.join(concrete)}:{cache.get(GENERATION_KEY, 0)}"

"""Running a parsed query against the Whoosh index: hits, facets, the district × year grid.

The index is opened once per worker process and refreshed only when it changed (a cheap
generation check per request; a new index after a rebuild is noticed by the link target).
Queries go to Whoosh directly rather than through haystack's SearchQuerySet: haystack opens
readers three times per query, counts by running the query again without a limit and has no
column facets (docs/performance-notes.md). Matching is exact substrings, from the recall
index (search.recall: every character, FTS5), mapped to Whoosh documents by section id;
ranking is Whoosh's, over the jieba words of text and titles, with a boost for targets.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from whoosh import query as wq
from whoosh import scoring

from search import bm25, recall
from search.analysis import dictionary_words, jieba_words, query_grams
from search.highlight import make_snippet
from search.lru import KeptArrays
from search.normalize import normalize
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
from search.results import (
    GRID_MAX_COLS,
    GRID_MAX_ROWS,
    GRID_SNIPPETS,
    TREND_MAX_SCAN,
    UNKNOWN_PLACE,
    Cell,
    Hit,
    Outcome,
    Trend,
    TrendRow,
)
from search.units import best_paragraph, version_offsets

TERM_DOCS_KEPT = 2_000_000  # docnums of matched terms kept per searcher (4 bytes each)
# Column values of segments (sections, cells, lengths) kept per worker: three values per
# document, so the whole of a 10,000-report index and what compaction writes beside it.
SEGMENT_COLUMNS_KEPT = 1_000_000
GRID_SCORED_HITS = 200  # the best snippet of a cell is its best-ranked hit among these
COMMON_WORD_SHARE = 0.5  # words in more of the sections than this do not rank (discriminating)
# BM25F's length normalisation, tuned on the real archive: with Whoosh's default B=0.75 a
# short section with one mention outranked long sections with many (in the top 20 of 60
# sampled dictionary words, 8.8% of pairs had the section with more mentions below; 6.7%
# at B=0.3, the top 5 holding fewer sections under 80 characters). Lower still, long
# sections win on bulk alone.
RANKING_B = 0.3
RANKING_K1 = 1.2
# A query about targets or numbers (预期目标, 增长 6.5%): target sections rank higher for it,
# and for no other query.
_TARGET_QUERY = re.compile(r"[0-9%％]|目标|预期|指标|增长|左右|以上|以内|力争")
MAX_ADJACENT_WORDS = 4  # adjacency in any order is checked for queries of up to this many words


# --- the index, once per process -----------------------------------------------------------


class _Holder:
    def __init__(self):
        self.lock = threading.Lock()
        self.target = None
        self.index = None
        self.searcher = None

    def get(self):
        from search.indexing import index_path, open_index

        target = os.path.realpath(index_path())
        with self.lock:
            if self.searcher is None or target != self.target:
                if self.searcher is not None:
                    self.searcher.close()
                self.index = open_index()
                self.target = os.path.realpath(index_path())
                self.searcher = self.index.searcher(weighting=ranking_weighting())
            elif not self.searcher.up_to_date():
                self.searcher = self.searcher.refresh()
            return self.searcher

    def reset(self):
        with self.lock:
            if self.searcher is not None:
                self.searcher.close()
            self.target = self.index = self.searcher = None
            recall.forget_reader()


holder = _Holder()
_segment_columns = KeptArrays(SEGMENT_COLUMNS_KEPT)


def ranking_weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=RANKING_B, K1=RANKING_K1)


_keys_cache: dict = {}


def once_per_searcher(name: str, searcher, compute: Callable):
    """`compute(searcher)`, kept until the searcher changes: a searcher is one index version,
    and these maps of docnums (to sections, places, years, lengths) change only with it."""
    cached = _keys_cache.get(name)
    if cached is not None and cached[0] is searcher:
        return cached[1]
    value = compute(searcher)
    _keys_cache[name] = (searcher, value)
    return value


def section_docnums(searcher) -> dict[int, int]:
    """section id -> docnum of every live document, once per searcher (the index version),
    from the `section` column of each segment (segment_columns)."""
    return once_per_searcher("sections", searcher, _live_section_docnums)


def _live_section_docnums(searcher) -> dict[int, int]:
    out: dict[int, int] = {}
    for sections, offset, reader in segment_columns("section", searcher, _read_sections):
        live = reader.all_doc_ids() if reader.has_deletions() else range(len(sections))
        out.update((sections[d], d + offset) for d in live if sections[d] is not None)
    return out


def _read_sections(reader) -> list[int | None]:
    col = _column(reader, "section")
    if col is not None:
        return list(col)
    sections: list[int | None] = [None] * reader.doc_count_all()
    for d, f in reader.iter_docs():
        if f.get("section"):
            sections[d] = int(f["section"])
    return sections


def segment_columns(name: str, searcher, read: Callable) -> list[tuple[list, int, object]]:
    """(read(segment reader), docnum offset, segment reader) for each segment of `searcher`,
    the values kept per segment. A segment never changes (deletions aside, which callers
    apply), so after a publish or a compaction step (a new searcher) a worker reads the
    columns of the new segment only; reading every column of the whole index again was
    0.55 s per worker after every write at 10,000 reports."""
    out = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment = reader.segment() if reader.is_atomic() else None
        if segment is None:  # an empty index
            out.append((read(reader), offset, reader))
            continue
        key = (segment.segment_id(), name)
        values = _segment_columns.get(key)
        if values is None:
            values = read(reader)
            _segment_columns.put(key, values, len(values) + 1)
        out.append((values, offset, reader))
    return out


def _joined(name: str, searcher, read: Callable) -> list:
    """One list over the whole searcher's docnums (segments are in docnum order)."""
    out: list = []
    for values, _, _ in segment_columns(name, searcher, read):
        out.extend(values)
    return out


def term_docs(term: str, searcher) -> set[int]:
    """Docnums of the sections that contain `term` (normalised) verbatim.

    Kept per searcher, as Lucene keeps the documents of frequent filters: FTS5's phrase
    matching is most of a query's time for a word in most sections (60-100 ms for 发展 at
    10,000 reports), and the same words come back in the list, grid, API and trend of a
    query, and in its pages and filters. What a searcher's term matches cannot change: the
    writer adds a section to the recall index before the Whoosh commit that makes it live,
    and removes it after the commit that deletes it, and only live sections are kept."""
    kept = once_per_searcher("term docs", searcher, lambda s: KeptArrays(TERM_DOCS_KEPT))
    docs = kept.get(term)
    if docs is None:
        docs = _matching_docnums_of(term, searcher)
        kept.put(term, docs, len(docs) + 1)
    return set(docs.tolist())


def _matching_docnums_of(term: str, searcher) -> np.ndarray:
    folder = holder.target if holder.searcher is searcher else None
    if folder is None:
        from search.indexing import index_path

        folder = os.path.realpath(index_path())
    sections, docnums = section_docnum_arrays(searcher)
    found = recall.reader(folder).section_ids(term)
    at = np.searchsorted(sections, found)
    live = at < len(sections)
    live[live] = sections[at[live]] == found[live]
    return docnums[at[live]]


def section_docnum_arrays(searcher) -> tuple[np.ndarray, np.ndarray]:
    """section_docnums as two arrays, sorted by section id (looked up with searchsorted)."""

    def arrays(searcher):
        pairs = sorted(section_docnums(searcher).items())
        return (
            np.array([s for s, _ in pairs], dtype=np.int64),
            np.array([d for _, d in pairs], dtype=np.int32),
        )

    return once_per_searcher("section arrays", searcher, arrays)


def cell_keys(searcher) -> list[tuple[str, int | None]]:
    """(place, year) of every docnum, read from the columns once per searcher (the index
    version) rather than per query: facets and grid counts then cost a list lookup per hit."""
    return once_per_searcher("keys", searcher, lambda s: _joined("keys", s, _read_cell_keys))


def _read_cell_keys(reader) -> list[tuple[str, int | None]]:
    place_col, year_col = _column(reader, "place"), _column(reader, "year")
    n = reader.doc_count_all()
    if place_col is not None and year_col is not None:
        places = [_decode(v) or UNKNOWN_PLACE for v in place_col]
        years = [v or None for v in year_col]
        keys = list(zip(places, years, strict=True))
    else:
        keys = [(UNKNOWN_PLACE, None)] * n
        for d, f in reader.iter_docs():
            keys[d] = (f.get("place") or UNKNOWN_PLACE, f.get("year") or None)
    return keys


def section_lengths(searcher) -> list[int]:
    """Characters of every docnum's section (the `length` column), read once per searcher:
    the trend's rates add them up for every section under its filters, and a column read per
    document was half of a trend's time at 1,000 reports."""
    return once_per_searcher(
        "lengths", searcher, lambda s: _joined("lengths", s, _read_section_lengths)
    )


def _read_section_lengths(reader) -> list[int]:
    col = _column(reader, "length")
    if col is not None:
        lengths = list(col)
    else:  # an index without the column: the stored bodies
        lengths = [0] * reader.doc_count_all()
        for d, f in reader.iter_docs():
            lengths[d] = len(f.get("body", ""))
    return lengths


def live_docs(searcher) -> frozenset[int]:
    """Docnums of every live document, once per searcher."""
    return once_per_searcher("live", searcher, _live_docs)


def _live_docs(searcher) -> frozenset[int]:
    live: list[Iterable[int]] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if reader.has_deletions():
            live.append([d + offset for d in reader.all_doc_ids()])
        else:
            live.append(range(offset, offset + reader.doc_count_all()))
    return frozenset(itertools.chain.from_iterable(live))


def get_searcher():
    return holder.get()


# --- compiling ---------------------------------------------------------------------------------


def discriminating(words: list[str], searcher) -> list[str]:
    """The words that tell sections apart: those in at most COMMON_WORD_SHARE of them (发展,
    加快 are in nearly every section: they add almost nothing to a score, and scoring their
    postings was most of the time of a query like 加快转变经济发展方式). The rarest word stays
    if all are common."""
    total = max(1, searcher.doc_count())
    share = {w: searcher.doc_frequency("text", w) / total for w in words}
    kept = [w for w in words if share[w] <= COMMON_WORD_SHARE]
    return kept or [min(words, key=share.get)]


def rank_query(terms: list[Term], searcher=None) -> wq.Query | None:
    words = []
    for t in terms:
        for w, _, _ in jieba_words(t.text):
            if w not in words:
                words.append(w)
    if searcher is not None and len(words) > 1:
        words = discriminating(words, searcher)
    subs: list[wq.Query] = []
    for w in words:
        subs.append(wq.Term("text", w))
        subs.append(wq.Term("title", w, boost=2.0))
    if not subs:
        return None
    if any(_TARGET_QUERY.search(t.text) for t in terms):
        subs.append(wq.Term("kind", "targets", boost=0.5))
    return wq.Or(subs)


def tree_docs(node, searcher, cache: dict | None = None) -> set[int]:
    """Every docnum the tree matches: each term's documents from the recall index, combined
    as sets (Whoosh 2.7's AndNot over a multi-segment index returns excluded documents)."""
    cache = {} if cache is None else cache
    if isinstance(node, Term):
        if node.text not in cache:
            cache[node.text] = term_docs(node.text, searcher)
        return cache[node.text]
    if isinstance(node, Or):
        out: set[int] = set()
        for c in node.children:
            out |= tree_docs(c, searcher, cache)
        return out
    if isinstance(node, And):
        pos = [c for c in node.children if not isinstance(c, Not)]
        neg = [c.child for c in node.children if isinstance(c, Not)]
        sets = sorted((tree_docs(c, searcher, cache) for c in pos), key=len)
        out = set(sets[0]) if sets else set()
        for other in sets[1:]:
            out &= other
        for c in neg:
            if out:
                out -= tree_docs(c, searcher, cache)
        return out
    if isinstance(node, Not):
        return set()
    raise TypeError(node)


def rank(searcher, rq: wq.Query, docs: set[int], limit: int) -> list[int]:
    """The best `limit` of `docs` by the ranking query (those it matches at all), best first,
    ties in index order: the first n of a longer ranking are exactly a shorter ranking, so
    every page of a result list is a slice of one order. Every hit is scored (no pruning):
    Whoosh's top-N collector skips documents by score estimates that are not upper bounds
    for this weighting, which made a page's hits depend on how many were asked for. The
    scores are Whoosh's BM25F, computed for all documents at once (search.bm25)."""
    terms = rq.subqueries if isinstance(rq, wq.Or) else [rq]
    return bm25.best(searcher, terms, searcher.weighting, docs, limit)


def phrase_docs(parsed: ParsedQuery, searcher) -> set[int]:
    """For a query of two or more plain words (营商 环境), the sections where they stand
    side by side, in any order ("营商环境", and "环境营商" too); empty for anything else."""
    node = parsed.tree
    if not isinstance(node, And) or not all(
        isinstance(c, Term) and not c.quoted for c in node.children
    ):
        return set()
    words = [c.text for c in node.children]
    if len(words) > MAX_ADJACENT_WORDS:
        return term_docs("".join(words), searcher)
    out: set[int] = set()
    for order in dict.fromkeys(itertools.permutations(words)):
        out |= term_docs("".join(order), searcher)
    return out


def filter_query(f: Filters) -> wq.Query | None:
    """The filters Whoosh's keyword columns answer (places, kinds). Years and exact cells
    are sets read from the columns (filter_docs): Whoosh 2.7's NumericRange over our
    unsigned 32-bit year field matches every document for a range such as [1 TO 1960]."""
    parts: list[wq.Query] = []
    for p in f.places:
        keys = place_filter_keys(p)
        parts.append(
            wq.Or([wq.Term("places", k) for k in keys])
            if len(keys) > 1
            else wq.Term("places", keys[0])
        )
    if f.doc_types:
        parts.append(wq.Or([wq.Term("doc_type", d) for d in f.doc_types]))
    if f.kinds:
        parts.append(wq.Or([wq.Term("kind", k) for k in f.kinds]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def filter_docs(f: Filters, searcher) -> set[int] | None:
    """Every docnum the filters allow, or None when nothing is filtered. The same sets serve
    the list, the API, the grid and the trend, so their counts agree."""
    out: set[int] | None = None
    fq = filter_query(f)
    if fq is not None:
        out = filter_query_docs(fq, searcher)
    if f.year_from is not None or f.year_to is not None or f.year_unknown:
        out = _narrow(out, year_docs(searcher, f.year_from, f.year_to, unknown=f.year_unknown))
    if f.exact_place is not None:
        out = _narrow(out, place_docs(searcher, f.exact_place))
    return out


def filter_query_docs(fq: wq.Query, searcher) -> set[int]:
    """The docnums of a filter query, kept per searcher like term_docs (a place's sections
    are read from Whoosh's postings one docnum at a time, 20 ms for a province)."""
    kept = once_per_searcher("filter docs", searcher, lambda s: KeptArrays(TERM_DOCS_KEPT))
    key = repr(fq)
    docs = kept.get(key)
    if docs is None:
        docs = np.fromiter(searcher.docs_for_query(fq), dtype=np.int32)
        kept.put(key, docs, len(docs) + 1)
    return set(docs.tolist())


def _narrow(current: set[int] | None, allowed: set[int]) -> set[int]:
    return set(allowed) if current is None else current & allowed


def _by_key(searcher, position: int) -> dict:
    """place or year (position 0 or 1 of cell_keys) -> docnums, once per searcher."""

    def group(searcher) -> dict:
        out: dict = defaultdict(list)
        for d, key in enumerate(cell_keys(searcher)):
            out[key[position]].append(d)
        live = live_docs(searcher)
        return {k: [d for d in v if d in live] for k, v in out.items()}

    return once_per_searcher(f"by-{position}", searcher, group)


def year_docs(searcher, lo: int | None, hi: int | None, *, unknown: bool = False) -> set[int]:
    """Docnums of sections from years lo..hi (either end open); with `unknown`, of the
    sections whose year is unknown (and within lo..hi: none, if a bound is given too)."""
    out: set[int] = set()
    for year, docs in _by_key(searcher, 1).items():
        if year is None:
            if unknown and lo is None and hi is None:
                out.update(docs)
        elif not unknown and (lo is None or year >= lo) and (hi is None or year <= hi):
            out.update(docs)
    return out


def place_docs(searcher, full_name: str) -> set[int]:
    """Docnums of sections of exactly this place (a full name, not the places under it);
    UNKNOWN_PLACE: the sections whose place is unknown."""
    return set(_by_key(searcher, 0).get(full_name, ()))


def make_hit(searcher, docnum: int, terms: list[str]) -> Hit:
    fields = searcher.stored_fields(docnum)
    body = fields.pop("body", "")
    snip = make_snippet(body, terms)
    paragraph = best_paragraph(fields, snip)
    matches = version_offsets(fields.get("segments"), snip.occurrences)
    # The long stored values are not kept on the hit: results are cached (search.cache).
    fields.pop("segments", None)
    fields.pop("paragraphs", None)
    return Hit(docnum, fields, snip, paragraph, matches)


def _column(reader, name: str):
    try:
        return reader.column_reader(name)
    except Exception:  # a field without a column (old index): read stored fields instead
        return None


def _decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def run(
    parsed: ParsedQuery,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    grid: bool = True,
) -> Outcome:
    searcher = get_searcher()
    terms = [t.text for t in parsed.terms]
    # One unscored pass finds every matching section: the exact count, facets and the grid.
    docset = matching_docnums(parsed, searcher)
    per_cell = cells_of(docset, searcher)
    facets_place: Counter = Counter()
    facets_year: Counter = Counter()
    for (place, year), (count, _) in per_cell.items():
        facets_place[place] += count
        facets_year[year] += count
    page = max(1, page)
    # The scored pass ranks the docset, as far as this page (and the grid's best hits) need.
    limit = min(len(docset), max(page * per_page, GRID_SCORED_HITS if grid else 0))
    ranked = ranking(parsed, docset, limit, sort, searcher)
    page_docs = ranked[(page - 1) * per_page : page * per_page]
    hits = [make_hit(searcher, d, terms) for d in page_docs]
    outcome = Outcome(
        len(docset),
        hits,
        page,
        per_page,
        dict(facets_place.most_common()),
        dict(sorted(facets_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
        terms,
    )
    if grid:
        build_grid(outcome, searcher, per_cell, ranked[:GRID_SCORED_HITS], terms)
    return outcome


def cells_of(docset: set[int], searcher) -> dict[tuple[str, int | None], tuple[int, int]]:
    """(place, year) -> (hits, the first docnum) of every cell the docnums fall in, the cells
    in the order of their first docnums (the order facets and the grid break ties in)."""
    cell_of, keys = cell_index(searcher)
    docs = np.fromiter(docset, dtype=np.int64, count=len(docset))
    docs.sort()
    cells = cell_of[docs]
    counts = np.bincount(cells, minlength=len(keys))
    found, first_at = np.unique(cells, return_index=True)  # first_at: into the sorted docs
    order = np.argsort(first_at)
    return {
        keys[c]: (int(counts[c]), int(docs[i]))
        for c, i in zip(found[order].tolist(), first_at[order].tolist(), strict=True)
    }


def cell_index(searcher) -> tuple[np.ndarray, list[tuple[str, int | None]]]:
    """Each docnum's cell as an index into a list of (place, year) keys, once per searcher."""

    def index(searcher):
        numbers: dict = {}
        keys = cell_keys(searcher)
        cell_of = np.fromiter(
            (numbers.setdefault(k, len(numbers)) for k in keys), dtype=np.int32, count=len(keys)
        )
        return cell_of, list(numbers)

    return once_per_searcher("cell index", searcher, index)


def ranking(parsed: ParsedQuery, docset: set[int], limit: int, sort: str, searcher) -> list[int]:
    """The first `limit` of `docset` in the order the list shows them. Matching is settled
    (exact substrings); ranking uses the jieba words (rank_query: words, title words, target
    sections), cheap term postings rather than phrase checks. Sections where the words stand
    together as one phrase come before those where they are scattered (营商 环境: "营商环境"
    first), each group by score; a hit none of whose words count (a substring inside a
    longer word) comes after, in index order. A longer ranking starts with a shorter one."""
    keys = cell_keys(searcher)
    if sort in ("year", "year_asc"):
        newest_first = sort == "year"
        return sorted(
            docset,
            key=lambda d: (-(keys[d][1] or 0) if newest_first else (keys[d][1] or 9999), d),
        )[:limit]
    rq = rank_query(parsed.terms, searcher) if parsed.terms else None
    together = phrase_docs(parsed, searcher) & docset if rq is not None else set()
    ranked: list[int] = []
    for group in (together, docset - together) if together else (docset,):
        if len(ranked) >= limit:
            break
        scored = rank(searcher, rq, group, limit - len(ranked)) if rq is not None else []
        ranked += scored
        if len(ranked) < limit:
            # jieba may read the words as one longer word here ("经济发展"): none of the
            # ranking words then match, and the section follows its group's scored ones.
            seen = set(scored)
            ranked += [d for d in sorted(group) if d not in seen][: limit - len(ranked)]
    return ranked


def build_grid(outcome: Outcome, searcher, per_cell, ranked: list[int], terms: list[str]):
    """Rows of places, columns of years; every cell its count, and (for the GRID_SNIPPETS
    cells holding the best-ranked or most hits) its best hit with a snippet."""
    rows = sorted({p for p, _ in per_cell}, key=lambda p: (p == UNKNOWN_PLACE, p))
    cols = sorted({y for _, y in per_cell}, key=lambda y: (y is None, y or 0))
    if len(rows) > GRID_MAX_ROWS or len(cols) > GRID_MAX_COLS:
        outcome.grid_truncated = True
        rows = sorted(rows, key=lambda p: -outcome.facets_place.get(p, 0))[:GRID_MAX_ROWS]
        rows.sort(key=lambda p: (p == UNKNOWN_PLACE, p))
        cols = cols[-GRID_MAX_COLS:]
    keys = cell_keys(searcher)
    first_ranked: dict = {}
    for rank, d in enumerate(ranked):
        first_ranked.setdefault(keys[d], (rank, d))
    shown = [k for k in per_cell if k[0] in rows and k[1] in cols]
    # Snippets first for cells with a top-ranked hit, then for the busiest cells.
    shown.sort(key=lambda k: (first_ranked.get(k, (len(ranked), 0))[0], -per_cell[k][0]))
    for i, key in enumerate(shown):
        count, first = per_cell[key]
        best = None
        if i < GRID_SNIPPETS:
            best = make_hit(searcher, first_ranked.get(key, (0, first))[1], terms)
        outcome.grid[key] = Cell(count, best)
    outcome.grid_rows, outcome.grid_cols = rows, cols


# --- suggestions -------------------------------------------------------------------------------


def suggestions(parsed: ParsedQuery, limit: int = 6) -> list[str]:
    """Queries to try when nothing was found: a long term split into jieba words, and
    dictionary words near the terms that do occur in the index."""
    out: list[str] = []
    searcher = get_searcher()
    for t in parsed.terms:
        words = [w for w, _, _ in jieba_words(t.text)]
        if len(words) > 1:
            out.append(" ".join(words))
    term_grams = {g for t in parsed.terms for g in query_grams(t.text)}
    scored = []
    for word, _ in dictionary_words():
        wg = set(query_grams(word))
        overlap = len(wg & term_grams)
        if overlap and word not in [t.text for t in parsed.terms]:
            scored.append((-overlap, len(word), word))
    for _, _, word in sorted(scored):
        if len(out) >= limit:
            break
        if term_docs(word, searcher):
            out.append(word)
    return out[:limit]


def term_in_index(term: str) -> bool:
    searcher = get_searcher()
    return bool(term_docs(normalize(term), searcher))


def docnum_to_section_ids(searcher) -> dict[int, str]:
    """docnum -> section pk for every live document (evaluation and drift checks)."""
    return {docnum: fields.get("django_id") for docnum, fields in searcher.reader().iter_docs()}


def matching_docnums(parsed: ParsedQuery, searcher=None) -> set[int]:
    """Every document the query (with its filters) matches, unscored."""
    searcher = searcher or get_searcher()
    allowed = filter_docs(parsed.filters, searcher)
    if parsed.tree is None:
        return set(searcher.reader().all_doc_ids()) if allowed is None else allowed
    docs = tree_docs(parsed.tree, searcher)
    return docs if allowed is None else docs & allowed


# --- term over time ----------------------------------------------------------------------------


def trend(
    terms: list[str],
    filters: Filters,
    by_place: bool = False,
    query: ParsedQuery | None = None,
) -> Trend:
    """Sections and occurrences of each term per year (and per place): sections agree with
    the grid and the list for the same term and filters, occurrences with the marks. With
    `query`, every row counts among the sections the whole query matches (so `改革 -开放`
    leaves out sections with 开放), and a query of more than one term gets a first row of
    its own, whose sections per year are exactly the list's and whose occurrences are those
    of all its terms.

    Occurrences are counted on the normalised text the recall index keeps for each section
    (made once at index time), each section read once for all rows;
    past results.TREND_MAX_SCAN the rows keep their exact section counts only."""
    searcher = get_searcher()
    allowed = filter_docs(filters, searcher)
    base = live_docs(searcher) if allowed is None else allowed
    keys = cell_keys(searcher)
    length = section_lengths(searcher).__getitem__
    chars = _characters_per_year(base, keys, length, by_place)
    rows_for = _trend_rows(terms, query, searcher, base)
    counters = [recall.OccurrenceCounter(counted) for _, counted, _ in rows_for]
    scan = sum(
        len(counter.terms) * sum(map(length, docs))
        for counter, (_, _, docs) in zip(counters, rows_for, strict=True)
    )
    counted_ok = scan <= TREND_MAX_SCAN
    occurrences: list[dict[int, int]] = [{} for _ in rows_for]
    if counted_ok:
        occurrences = _count_occurrences(searcher, counters, [docs for _, _, docs in rows_for])
    rows: list[TrendRow] = []
    for (label, _, docs), found in zip(rows_for, occurrences, strict=True):
        rows.extend(_tally_row(label, docs, found, keys, by_place))
    years = sorted({y for (_, y) in chars}, key=lambda y: (y is None, y or 0))
    return Trend(terms, years, dict(chars), rows, occurrences_counted=counted_ok, scan=scan)


def _characters_per_year(base: set[int], keys, length, by_place: bool) -> Counter:
    """Characters of text searched, per (None, year) and, by place, per (place, year): what a
    count per year is set against."""
    chars: Counter = Counter()
    for d in base:
        place, year = keys[d]
        n = length(d)
        chars[(None, year)] += n
        if by_place:
            chars[(place, year)] += n
    return chars


def _trend_rows(
    terms: list[str], query: ParsedQuery | None, searcher, base: set[int]
) -> list[tuple[str, list[str], set[int]]]:
    """(label, terms counted, sections) of each row: one per term, and first the whole query's
    when it has several terms; with a query, only among the sections it matches."""
    matched = None
    if query is not None and query.tree is not None:
        matched = tree_docs(query.tree, searcher) & base
    rows = [(t, [t], term_docs(t, searcher)) for t in terms]
    if query is not None and query_row_needed(query):
        rows.insert(0, (query_label(query), [t.text for t in query.terms], None))
    if matched is None:
        return [(label, counted, docs & base) for label, counted, docs in rows]
    return [
        (label, counted, matched if docs is None else docs & matched)
        for label, counted, docs in rows
    ]


def _tally_row(
    label: str, docs: set[int], found: dict[int, int], keys, by_place: bool
) -> list[TrendRow]:
    """The row's (sections, occurrences) per year, then (by place) one row per place."""
    total: dict = defaultdict(lambda: [0, 0])
    per_place: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for d in docs:
        place, year = keys[d]
        n = found.get(d, 0)
        total[year][0] += 1
        total[year][1] += n
        if by_place:
            per_place[place][year][0] += 1
            per_place[place][year][1] += n
    rows = [TrendRow(label, None, {y: tuple(v) for y, v in total.items()})]
    for place in sorted(per_place):
        rows.append(TrendRow(label, place, {y: tuple(v) for y, v in per_place[place].items()}))
    return rows


def _count_occurrences(
    searcher, counters: list[recall.OccurrenceCounter], row_docs: list[set[int]]
) -> list[dict[int, int]]:
    """docnum -> occurrences, per row, counted on the normalised text the recall index
    keeps (each section read once, whatever the number of rows)."""
    from search.indexing import index_path

    folder = holder.target if holder.searcher is searcher else os.path.realpath(index_path())
    docnums = section_docnums(searcher)
    sections = {d: s for s, d in docnums.items()}
    wanted = set().union(*row_docs) if row_docs else set()
    out: list[dict[int, int]] = [{} for _ in counters]
    for section, norm in recall.reader(folder).section_texts(sections[d] for d in wanted):
        d = docnums[section]
        for counter, docs, found in zip(counters, row_docs, out, strict=True):
            if d in docs:
                found[d] = counter.count(norm)
    return out

"""haystack's default set-up, for bench/bench_search.py to compare with: its stock Whoosh
schema for our section documents with jieba's ChineseAnalyzer (what a haystack + jieba
set-up changes, and only that), and its stock query path on that index, in process (the
load test serves the same index with haystack's SearchView instead: see this package).

Imported after Django is set up (haystack reads settings when imported).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.paginator import Paginator
from haystack import connections
from haystack.query import SearchQuerySet
from haystack.utils.highlighting import Highlighter

ALIAS = "baseline"
PER_PAGE = 20  # haystack's SearchView page (HAYSTACK_SEARCH_RESULTS_PER_PAGE)


def baseline_schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        django_ct=ID(stored=True),
        django_id=ID(stored=True),
        text=TEXT(stored=True, analyzer=ChineseAnalyzer(), sortable=True, spelling=True),
        title=TEXT(stored=True, analyzer=ChineseAnalyzer(), sortable=True),
        places=KEYWORD(stored=True, commas=True, scorable=True),
        year=NUMERIC(stored=True, numtype=int),
        place=TEXT(stored=True),
    )


def page_times(folder: Path, queries: list[str], rounds: int) -> list[float]:
    """Milliseconds per query of what haystack's stock SearchView does for a page of 20:
    SearchQuerySet().auto_query(q).load_all(), a Paginator page (count and slice, the
    sections loaded from the database) and haystack's Highlighter on each result's text
    (the template's {% highlight %}); no template rendering, which would only add to it.
    Our query syntax (地区:, 年份:) means nothing to it: such words are searched as text."""
    connections.connections_info[ALIAS] = {
        "ENGINE": "bench.haystack_baseline.backend.ChineseWhooshEngine",
        "PATH": str(folder),
    }
    connections.reload(ALIAS)
    times = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            results = SearchQuerySet().using(ALIAS).auto_query(q).load_all()
            page = Paginator(results, PER_PAGE).page(1)
            highlighter = Highlighter(q)
            for result in page.object_list:
                highlighter.highlight(result.text or "")
            times.append((time.perf_counter() - started) * 1000)
    return times

"""The search engine the archive runs on: one interface, one class per engine, chosen by settings.

    from search.engines import get_engine
    outcome = get_engine().run(parsed, page=1, per_page=20, sort="relevance", grid=True)

`get_engine()` reads HAYSTACK_CONNECTIONS["default"]["ENGINE"] (settings: ARCHIVE_SEARCH_ENGINE):
the haystack engine class names the archive engine that goes with it in its `archive_engine`
attribute, so one setting chooses both how documents are stored and how they are searched,
as wagtail's `get_search_backend()` does. Two engines exist:

- `WhooshEngine` (search.whoosh_backend.JiebaWhooshEngine, the default): a Whoosh index with
  its SQLite FTS5 recall index, in a folder on this machine (queries: search.whoosh_engine;
  writes: search.indexing's Whoosh functions);
- `OpenSearchEngine` (search.opensearch_backend.JiebaElasticsearchEngine): an OpenSearch (or
  Elasticsearch 7) cluster behind an alias (queries: search.opensearch_engine; writes:
  search.opensearch_backend).

Every engine tokenises in Python with the same code (search.analysis, search.recall) and returns
the same result types (search.results), so what matches, the counts, grid, trend and marks do
not change with the engine; only ranking may. Nothing outside this module asks which engine
runs. The single writer (search.indexing) calls `write_reports` and `rebuild` under its lock.

Each engine imports its own modules when first used, not at the top of this file: the Whoosh
set-up must never import the search-server client, and the query modules import the writer's
helpers, which in turn ask this module for the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from search.query import Filters, ParsedQuery
from search.results import Outcome, Trend

# (django_id -> (version, updated, report)), (django_id -> metadata key), ids in the recall index
Indexed = tuple[dict[str, tuple], dict[str, tuple], set[str]]


class SearchEngine:
    """What every engine does. Subclasses implement each method; none is optional."""

    name = "base"

    # --- reading -------------------------------------------------------------------------------

    def run(
        self,
        parsed: ParsedQuery,
        *,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        grid: bool = True,
    ) -> Outcome:
        """One page of hits in order, the exact count and facets, and the place x year grid."""
        raise NotImplementedError

    def suggestions(self, parsed: ParsedQuery, limit: int = 6) -> list[str]:
        """Other queries worth offering when this one finds nothing."""
        raise NotImplementedError

    def trend(
        self,
        terms: list[str],
        filters: Filters,
        by_place: bool = False,
        query: ParsedQuery | None = None,
    ) -> Trend:
        """Sections and occurrences of each term per year (and per place)."""
        raise NotImplementedError

    def ranked_fields(self, parsed: ParsedQuery, sort: str = "relevance") -> Iterator[dict]:
        """The stored fields of every hit, in the list's order (the keyword-in-context export)."""
        raise NotImplementedError

    # --- writing (by the single writer, under its lock) ----------------------------------------

    def write_reports(self, report_ids: list[int], orphan_report_ids: list[str]) -> int:
        """Bring these reports' documents up to date; drop the orphans' documents."""
        raise NotImplementedError

    def rebuild(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        report_ids: Iterable[int] | None = None,
        **options,
    ) -> dict:
        """A fresh index of the published reports (or of `report_ids`), swapped in atomically."""
        raise NotImplementedError

    def indexed_documents(self) -> Indexed:
        """What the index holds, for search.indexing.drift()."""
        raise NotImplementedError

    def compact(self, *, timeout: float = 0.0) -> int:
        """One bounded step of background compaction (the writer runs it when its queue is
        empty); returns how much it merged, 0 when there was nothing to do."""
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------------

    def health(self) -> dict:
        """Can this host search? {"ok": bool, ...} for /healthz, never raising."""
        raise NotImplementedError

    def version(self) -> str:
        """A token that changes with every write and rebuild, for the results cache; the word
        "unavailable" when the index cannot be read (nothing is cached then)."""
        raise NotImplementedError

    def warm_up(self) -> None:
        """Open what the first search would open (a new web worker calls it before traffic)."""
        raise NotImplementedError


class WhooshEngine(SearchEngine):
    """The embedded default: Whoosh (words, ranking, stored fields) beside an SQLite FTS5 index
    of every character (recall), in a folder on this machine."""

    name = "whoosh"

    def run(self, parsed, *, page=1, per_page=20, sort="relevance", grid=True):
        from search import whoosh_engine

        return whoosh_engine.run(parsed, page=page, per_page=per_page, sort=sort, grid=grid)

    def suggestions(self, parsed, limit=6):
        from search import whoosh_engine

        return whoosh_engine.suggestions(parsed, limit)

    def trend(self, terms, filters, by_place=False, query=None):
        from search import whoosh_engine

        return whoosh_engine.trend(terms, filters, by_place=by_place, query=query)

    def ranked_fields(self, parsed, sort="relevance"):
        from search import whoosh_engine

        searcher = whoosh_engine.get_searcher()
        docset = whoosh_engine.matching_docnums(parsed, searcher)
        for d in whoosh_engine.ranking(parsed, docset, len(docset), sort, searcher):
            yield searcher.stored_fields(d)

    def write_reports(self, report_ids, orphan_report_ids):
        from search import indexing

        return indexing.write_whoosh_reports(report_ids, orphan_report_ids)

    def rebuild(self, *, progress=None, report_ids=None, **options):
        from search import indexing

        return indexing.build_whoosh_index(progress=progress, report_ids=report_ids, **options)

    def indexed_documents(self):
        from search import indexing

        return indexing.read_whoosh_index()

    def compact(self, *, timeout=0.0):
        from search import compaction

        return compaction.compact_step(timeout=timeout)

    def health(self):
        from search.health import check_whoosh_index

        return check_whoosh_index()

    def version(self):
        from search.cache import whoosh_index_version

        return whoosh_index_version()

    def warm_up(self):
        from search import whoosh_engine

        searcher = whoosh_engine.get_searcher()  # the index, opened once per worker
        # What the first search of each index version reads from the whole index: the
        # section -> document map and every document's (place, year). Read here, a new
        # worker's first grid is not slower than any other.
        whoosh_engine.section_docnums(searcher)
        whoosh_engine.cell_keys(searcher)


class OpenSearchEngine(SearchEngine):
    """An OpenSearch (or Elasticsearch 7) cluster: one document per section holding both the
    jieba words and the character tokens, behind an alias that a rebuild moves."""

    name = "opensearch"
    # Options of WhooshEngine.rebuild that mean nothing to a search server.
    WHOOSH_ONLY_OPTIONS = {"procs", "limitmb", "segment_reports", "keep"}

    def run(self, parsed, *, page=1, per_page=20, sort="relevance", grid=True):
        from search import opensearch_engine

        return opensearch_engine.run(parsed, page=page, per_page=per_page, sort=sort, grid=grid)

    def suggestions(self, parsed, limit=6):
        from search import opensearch_engine

        return opensearch_engine.suggestions(parsed, limit)

    def trend(self, terms, filters, by_place=False, query=None):
        from search import opensearch_engine

        return opensearch_engine.trend(terms, filters, by_place=by_place, query=query)

    def ranked_fields(self, parsed, sort="relevance"):
        from search import opensearch_engine

        return opensearch_engine.ranked_fields(parsed, sort)

    def write_reports(self, report_ids, orphan_report_ids):
        from search import opensearch_backend

        return opensearch_backend.write_reports([*report_ids, *orphan_report_ids])

    def rebuild(self, *, progress=None, report_ids=None, **options):
        from search import opensearch_backend

        unknown = set(options) - self.WHOOSH_ONLY_OPTIONS
        if unknown:
            raise TypeError(f"unknown rebuild options: {sorted(unknown)}")
        return opensearch_backend.rebuild(progress=progress, report_ids=report_ids)

    def indexed_documents(self):
        from search import opensearch_backend
        from search.indexing import metadata_key

        indexed, meta = {}, {}
        for key, fields in opensearch_backend.indexed_documents().items():
            indexed[key] = (fields.get("version"), fields.get("updated"), fields.get("report"))
            meta[key] = metadata_key(
                fields.get("year"), fields.get("place"), fields.get("doc_type"), fields.get("title")
            )
        return indexed, meta, set(indexed)  # one document holds the words and the characters

    def compact(self, *, timeout=0.0):
        return 0  # OpenSearch (Lucene) merges its own segments in the background

    def health(self):
        from search import opensearch_engine

        return opensearch_engine.check_index()

    def version(self):
        from search import opensearch_engine

        return opensearch_engine.index_version()

    def warm_up(self):
        from search import opensearch_backend

        # The client and its connection pool; the server holds the index.
        opensearch_backend.get_backend().conn.info()


@lru_cache(maxsize=8)
def _engine_for(haystack_engine: str) -> SearchEngine:
    cls = import_string(haystack_engine)
    path = getattr(cls, "archive_engine", None)
    if path is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{haystack_engine} names no archive engine (its `archive_engine` attribute): use "
            "search.whoosh_backend.JiebaWhooshEngine or "
            "search.opensearch_backend.JiebaElasticsearchEngine"
        )
    return import_string(path)()


def get_engine() -> SearchEngine:
    """The engine the settings choose (HAYSTACK_CONNECTIONS["default"]["ENGINE"])."""
    return _engine_for(settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"])

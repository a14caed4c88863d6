"""haystack's Elasticsearch 7 backend, taught Chinese the same way as the Whoosh one.

Configured by settings alone (config/settings.py, docs/scaling.md):

    ARCHIVE_SEARCH_ENGINE=search.opensearch_backend.JiebaElasticsearchEngine
    ARCHIVE_SEARCH_URL=http://host:9200

Elasticsearch is never asked to understand Chinese. Every token is made in Python, by the
same code as for Whoosh, and sent as a string of tokens separated by single spaces that the
index reads with the built-in `whitespace` analyzer, so what matches cannot change with the
engine:

- `text` (the document field) and `title`: jieba words of the normalised text
  (search.analysis.jieba_words), for ranking; the original title rides along in `display`;
- the recall field (field_type "cjk_chars"): every character of the normalised text as its
  hex code point (search.recall.char_tokens), with positions, so that a `match_phrase` of a
  term's tokens matches exactly the sections containing the term;
- keyword fields (places, kinds, ids) as `keyword`, integers as `integer`, display-only fields
  (indexed=False in search_indexes.py) kept in `_source` with `"index": false`.

The name in settings (INDEX_NAME) is an alias: `rebuild()` loads a fresh concrete index
`<INDEX_NAME>-<stamp>` and moves the alias to it in one `_aliases` call, so searches see the
old index or the new one, never a half-built one. `write_reports()` brings some reports'
documents up to date (search.indexing calls both when this engine is configured); the query
side is search.opensearch_engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

# isort: off
from search.opensearch_client import helpers  # before haystack's backend: it readies the client
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
)

# isort: on
from haystack.constants import ID

from search.analysis import jieba_words
from search.normalize import normalize
from search.recall import char_tokens

log = logging.getLogger(__name__)
bulk, scan = helpers.bulk, helpers.scan

RECALL_FIELD_TYPES = {"cjk_chars"}
KEYWORD_FIELD_TYPES = {"keyword_id"}
WORD_FIELD_TYPES = {"string", "edge_ngram", "ngram"}
DISPLAY = "display"  # originals of converted fields that a page shows (the title)
# The year to sort oldest-first by: an unknown year is indexed as 0 (filters and facets read it
# so) and must come last, as with Whoosh; sorting by a script instead needs lang-painless.
YEAR_ORDER = "year_order"
UNKNOWN_YEAR_ORDER = 9999
BULK_CHUNK = 500  # documents per bulk request

# Roles of the index's fields, decided from search_indexes.py's declarations.
WORDS, CHARS, KEYWORD, INTEGER, STORED_ONLY, OTHER = (
    "words",
    "chars",
    "keyword",
    "integer",
    "stored",
    "other",
)


def field_role(field) -> str:
    if field.field_type in RECALL_FIELD_TYPES:
        return CHARS
    if not field.indexed:
        return STORED_ONLY
    if field.field_type in KEYWORD_FIELD_TYPES or field.is_multivalued:
        return KEYWORD
    if field.field_type == "integer":
        return INTEGER
    if field.document or field.field_type in WORD_FIELD_TYPES:
        return WORDS
    return OTHER


def words_string(text: str) -> str:
    """jieba words of the normalised text, separated by single spaces."""
    return " ".join(w for w, _, _ in jieba_words(normalize(text)))


def chars_string(text: str) -> str:
    """Every character of the normalised text as a token (search.recall.char_tokens)."""
    return char_tokens(normalize(text))


class JiebaElasticsearchSearchBackend(Elasticsearch7SearchBackend):
    # One shard: BM25 statistics are then those of the whole archive, whichever node answers.
    DEFAULT_SETTINGS = {"settings": {"index": {"number_of_shards": 1}}}

    WORDS_MAPPING = {"type": "text", "analyzer": "whitespace", "norms": True}
    CHARS_MAPPING = {
        "type": "text",
        "analyzer": "whitespace",
        "index_options": "positions",
        "norms": False,
    }

    # --- the mapping -----------------------------------------------------------------------

    def _searchfields(self) -> dict:
        from haystack import connections

        return connections[self.connection_alias].get_unified_index().all_searchfields()

    def roles(self) -> dict[str, str]:
        """index field name -> role (WORDS, CHARS, ...), from search_indexes.py."""
        return {f.index_fieldname: field_role(f) for f in self._searchfields().values()}

    def display_fields(self) -> set[str]:
        """Word fields a page shows (the title): their originals are kept in `display`."""
        return {
            f.index_fieldname
            for f in self._searchfields().values()
            if field_role(f) == WORDS and f.stored and not f.document
        }

    def recall_field(self) -> str:
        names = [n for n, role in self.roles().items() if role == CHARS]
        if len(names) != 1:
            raise ImproperlyConfigured(f"expected one cjk_chars field in the index, got {names}")
        return names[0]

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        mapping[ID] = {"type": "keyword"}
        for field in fields.values():
            name = field.index_fieldname
            role = field_role(field)
            if role == CHARS:
                mapping[name] = dict(self.CHARS_MAPPING)
            elif role == STORED_ONLY:
                kind = "long" if field.field_type == "integer" else "text"
                mapping[name] = {"type": kind, "index": False}
            elif role == KEYWORD:
                mapping[name] = {"type": "keyword"}
            elif role == INTEGER:
                # long, not integer: a text without sections is indexed as one document whose
                # ids start at 2**31 (search_indexes.whole_text_id), past a Java int.
                mapping[name] = {"type": "long"}
            elif role == WORDS:
                # Boosts (title 2) are given at query time (search.opensearch_engine).
                mapping[name] = dict(self.WORDS_MAPPING)
        mapping[DISPLAY] = {"type": "object", "enabled": False}
        mapping[YEAR_ORDER] = {"type": "integer"}
        return content_field_name, mapping

    def index_body(self) -> dict:
        """Settings and mappings of a new concrete index."""
        _, properties = self.build_schema(self._searchfields())
        return {
            **self.DEFAULT_SETTINGS,
            "mappings": {"dynamic": "strict", "properties": properties},
        }

    def setup(self):
        """Create the index (a concrete `<INDEX_NAME>-<stamp>` behind the alias) when there
        is none; otherwise hand it the current mapping (new fields; an incompatible change is
        refused by Elasticsearch: run rebuild_search_index)."""
        self.content_field_name, _ = self.build_schema(self._searchfields())
        if not self.conn.indices.exists(index=self.index_name):
            body = self.index_body()
            body["aliases"] = {self.index_name: {}}
            self.conn.indices.create(index=self.new_index_name(), body=body)
        else:
            self.conn.indices.put_mapping(index=self.index_name, body=self.index_body()["mappings"])
        self.setup_complete = True

    def new_index_name(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{time.monotonic_ns() % 10**6:06d}"
        return f"{self.index_name}-{stamp}"

    # --- documents -------------------------------------------------------------------------

    def to_es_document(self, doc: dict) -> dict:
        """haystack's prepared document as this index takes it: text fields as token strings
        made in Python, None values left out."""
        roles, shown = self.roles(), self.display_fields()
        out: dict = {}
        display: dict = {}
        for name, value in doc.items():
            if value is None or value == []:
                continue
            role = roles.get(name)
            if role == WORDS:
                out[name] = words_string(str(value))
                if name in shown:
                    display[name] = value
            elif role == CHARS:
                out[name] = chars_string(str(value))
            else:
                out[name] = self._from_python(value)
        if display:
            out[DISPLAY] = display
        out[YEAR_ORDER] = int(doc.get("year") or 0) or UNKNOWN_YEAR_ORDER
        return out

    def prepare_document(self, index, obj) -> dict:
        """The document for `obj` (search.indexing.documents_for_report calls this)."""
        return self.to_es_document(index.full_prepare(obj))

    def _prepare_object(self, index, obj):
        # haystack's update() (update_index, SearchIndex.update_object) goes through here and
        # then through its own bulk call: tokens are made in Python there too.
        return self.prepare_document(index, obj)

    def bulk_index(self, docs: Iterable[dict], *, index: str | None = None) -> int:
        """Index `docs` (to the alias, or to a concrete index) with bulk requests."""
        target = index or self.index_name
        actions = (
            {"_op_type": "index", "_index": target, "_id": doc[ID], "_source": doc} for doc in docs
        )
        done, _ = bulk(self.conn, actions, chunk_size=BULK_CHUNK, max_retries=2)
        return done

    def clear(self, models=None, commit=True):
        """Everything (haystack's clear_index, rebuild_index): an empty index swapped in, as
        `DELETE` of the alias's name is refused by Elasticsearch. Some models: haystack's."""
        if models is not None:
            return super().clear(models=models, commit=commit)
        rebuild(report_ids=[])

    # haystack's remove() keeps its meaning: one document, by its id.


class JiebaElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = JiebaElasticsearchSearchBackend
    archive_engine = "search.engines.OpenSearchEngine"  # how the archive searches it (get_engine)


# --- what search.indexing calls when this engine is configured ---------------------------------


def get_backend() -> JiebaElasticsearchSearchBackend:
    from haystack import connections

    backend = connections["default"].get_backend()
    if not isinstance(backend, JiebaElasticsearchSearchBackend):
        raise ImproperlyConfigured("the default search connection is not Elasticsearch")
    return backend


def _ensure_setup(backend: JiebaElasticsearchSearchBackend) -> None:
    if not backend.setup_complete:
        backend.setup()


def _documents(report_id) -> list[dict]:
    from search.indexing import documents_for_report

    return documents_for_report(int(report_id))


def write_reports(report_ids: Iterable) -> int:
    """Bring the reports' documents up to date: index their current documents, then delete
    every other document of theirs, found by the `report` keyword (an unpublished or deleted
    report has none left). New documents go in first, so a report being republished is
    never missing from search in between. Returns the number of documents indexed.

    The others are found with a search and deleted by id in one bulk request, not with
    `_delete_by_query`: that lives in OpenSearch's `reindex` module, which a minimal node
    (and some hosted services) lack, while search and bulk are in every one."""
    ids = sorted({str(r) for r in report_ids}, key=lambda r: (len(r), r))
    if not ids:
        return 0
    backend = get_backend()
    _ensure_setup(backend)
    docs = [doc for rid in ids for doc in _documents(rid)]
    added = backend.bulk_index(docs) if docs else 0
    # What is deleted next must be visible to the search: documents of an earlier write that
    # the index has not refreshed yet included.
    backend.conn.indices.refresh(index=backend.index_name)
    query: dict = {"bool": {"filter": [{"terms": {"report": ids}}]}}
    if docs:
        query["bool"]["must_not"] = [{"ids": {"values": [d[ID] for d in docs]}}]
    others = [
        (hit["_index"], hit["_id"])
        for hit in scan(
            backend.conn,
            index=backend.index_name,
            query={"query": query, "_source": False},
            size=1000,
        )
    ]
    if others:
        bulk(
            backend.conn,
            ({"_op_type": "delete", "_index": index, "_id": i} for index, i in others),
            refresh=True,
            raise_on_error=False,  # one already gone (another host deleted it) is no error
        )
    bump_generation()
    return added


def _alias_targets(backend) -> tuple[list[str], bool]:
    """(concrete indices the alias points at, whether INDEX_NAME is a concrete index itself:
    one made by haystack's own setup before this backend managed an alias)."""
    found = backend.conn.indices.get_alias(name=backend.index_name, ignore=404)
    targets = sorted(k for k, v in found.items() if isinstance(v, dict) and "aliases" in v)
    concrete = not targets and bool(backend.conn.indices.exists(index=backend.index_name))
    return targets, concrete


def rebuild(
    *,
    progress: Callable[[int, int], None] | None = None,
    report_ids: Iterable[int] | None = None,
) -> dict:
    """Load every published report (or `report_ids`) into a fresh concrete index, move the
    alias to it atomically and delete the old one. Reports changed while it ran are written
    again afterwards (another host may have written them to the old index meanwhile)."""
    from django.utils import timezone

    from search.models import IndexChange

    backend = get_backend()
    started, clock = timezone.now(), time.monotonic()
    name = backend.new_index_name()
    backend.conn.indices.create(index=name, body=backend.index_body())
    from search.indexing import published_report_ids

    ids = published_report_ids() if report_ids is None else sorted(set(report_ids))
    sections = 0
    try:
        batch: list[dict] = []
        for n, rid in enumerate(ids, 1):
            batch.extend(_documents(rid))
            if len(batch) >= BULK_CHUNK:
                sections += backend.bulk_index(batch, index=name)
                batch = []
            if progress and (n % 50 == 0 or n == len(ids)):
                progress(n, len(ids))
        if batch:
            sections += backend.bulk_index(batch, index=name)
        backend.conn.indices.refresh(index=name)
        old, concrete = _alias_targets(backend)
        actions: list[dict] = [{"add": {"index": name, "alias": backend.index_name}}]
        actions += [{"remove": {"index": o, "alias": backend.index_name}} for o in old]
        if concrete:
            actions.append({"remove_index": {"index": backend.index_name}})
        backend.conn.indices.update_aliases(body={"actions": actions})
    except BaseException:
        backend.conn.indices.delete(index=name, ignore=404)
        raise
    for o in old:
        backend.conn.indices.delete(index=o, ignore=404)
    backend.setup_complete = True
    bump_generation()
    later = set(
        IndexChange.objects.filter(created_at__gte=started).values_list("report_id", flat=True)
    )
    if later:
        write_reports(later)
    return {
        "reports": len(ids),
        "sections": sections,
        "seconds": time.monotonic() - clock,
        "path": name,
        "rewritten_after": len(later),
    }


def indexed_documents() -> dict[str, dict]:
    """django_id -> the stored fields the drift check compares (version, updated, report and
    the metadata: year, place, doc_type, title) of every indexed document."""
    backend = get_backend()
    out = {}
    for hit in scan(
        backend.conn,
        index=backend.index_name,
        query={
            "query": {"match_all": {}},
            "_source": [
                "django_id",
                "version",
                "updated",
                "report",
                "year",
                "place",
                "doc_type",
                DISPLAY,
            ],
        },
        size=1000,
    ):
        src = hit["_source"]
        # The title field holds jieba tokens; the title as written rides in DISPLAY.
        src["title"] = (src.pop(DISPLAY, None) or {}).get("title", "")
        out[src.get("django_id")] = src
    return out


# --- the index's version, for the results cache ------------------------------------------------

GENERATION_KEY = "search:es-generation"


def bump_generation() -> None:
    """Every write changes the token search.opensearch_engine.index_version() gives (shared by the
    hosts through the shared cache, ARCHIVE_CACHE_URL=redis://...)."""
    from django.core.cache import cache

    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), None)

"""haystack's Whoosh backend, taught Chinese: the schema uses our analyzers and fields.

Configured in settings as HAYSTACK_CONNECTIONS["default"]["ENGINE"] =
"search.whoosh_backend.JiebaWhooshEngine". Only the schema is ours (haystack's file is subclassed,
never copied): the document field and titles are jieba words with their frequencies (no
positions: search.analysis.JiebaText says why), facet fields are sortable columns so the
district × year grid counts hits without loading stored documents, and display-only fields are stored but not indexed. The recall field (every
character, for exact substring matches) is not a Whoosh field: search.indexing writes it to
the recall index beside Whoosh (search.recall, SQLite FTS5), which is several times faster to
write and to query for single characters.

Writing (search.indexing) and querying (search.whoosh_engine) use the Whoosh index this backend
describes directly: haystack's update() commits once per call and its query path opens
readers three times per query (docs/performance-notes.md), and the index has to be swapped
atomically on rebuild. haystack still owns the index definition (search_indexes.py), the
document preparation and the schema.
"""

from __future__ import annotations

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema

from search.analysis import JiebaText

RECALL_FIELD_TYPES = {"cjk_chars"}
ID_FIELD_TYPES = {"keyword_id"}


class JiebaWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        spec = {name: schema[name] for name in schema.names()}
        for field in fields.values():
            name = field.index_fieldname
            if field.field_type in RECALL_FIELD_TYPES:
                spec.pop(name, None)  # search.recall holds it
            elif not field.indexed:
                spec[name] = STORED()
            elif field.field_type in ID_FIELD_TYPES:
                spec[name] = ID(stored=field.stored, sortable=bool(getattr(field, "column", False)))
            elif field.is_multivalued and field.indexed:
                # Place chains: exact keywords, not scored, comma-separated by haystack.
                spec[name] = KEYWORD(stored=field.stored, commas=True, scorable=False)
            elif field.field_type == "integer":
                spec[name] = NUMERIC(
                    numtype=int, bits=32, stored=field.stored, sortable=True, signed=False
                )
            elif field.field_type in ("string", "edge_ngram", "ngram") or field.document:
                # Every text field is jieba words of the normalised text with their
                # frequencies, for ranking; no positions are stored (see JiebaText).
                spec[name] = JiebaText(
                    stored=field.stored and not field.document, field_boost=field.boost
                )
            if field.document:
                spec[name] = JiebaText(stored=False, field_boost=field.boost)
        return content_field_name, Schema(**spec)

    # haystack's own commands (update_index, rebuild_index, clear_index) still work: they go
    # through search.indexing's single writer, which keeps Whoosh and the recall index in
    # step and takes the lock. rebuild_search_index is the better way to rebuild.
    def setup(self):
        from search.indexing import ensure_index

        ensure_index()
        super().setup()

    def update(self, index, iterable, commit=True):
        from search.indexing import reindex_reports

        reindex_reports({obj.version.report_id for obj in iterable}, timeout=60)

    def remove(self, obj_or_string, commit=True):
        from archive.models import Section
        from search.indexing import reindex_reports, repair

        pk = str(getattr(obj_or_string, "pk", obj_or_string)).rsplit(".", 1)[-1]
        report = (
            Section.objects.filter(pk=pk).values_list("version__report_id", flat=True).first()
            if pk.isdigit()
            else None
        )
        if report is not None:
            reindex_reports([report], timeout=60)
        else:
            repair()

    def clear(self, models=None, commit=True):
        from search.indexing import rebuild

        rebuild(report_ids=[])

    def prepare_document(self, index, obj) -> dict:
        """The document haystack would write for `obj`, without values that are None
        (haystack would write the string "None" into a numeric field)."""
        doc = index.full_prepare(obj)
        doc.pop("boost", None)
        return {
            key: self._from_python(value)
            for key, value in doc.items()
            if value is not None and value != []
        }


class JiebaWhooshEngine(WhooshEngine):
    backend = JiebaWhooshSearchBackend
    archive_engine = "search.engines.WhooshEngine"  # how the archive searches it (get_engine)

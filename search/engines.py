"""Which query module serves searches: chosen by HAYSTACK_CONNECTIONS["default"]["ENGINE"].

    engines.active().run(parsed, page=1, per_page=20, sort="relevance", grid=True)

search.es_engine when the configured engine class is (a subclass of)
search.es_backend.JiebaElasticsearchEngine, else search.engine (the local Whoosh index). Both
have the same interface and return the same dataclasses (search.engine.Outcome, Trend).
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from django.conf import settings
from django.utils.module_loading import import_string

ES_ENGINE = ("search.es_backend", "JiebaElasticsearchEngine")


@lru_cache(maxsize=8)
def _is_elasticsearch(engine_path: str) -> bool:
    # The class's ancestry is read by name, so that the Whoosh set-up never imports the
    # Elasticsearch client.
    cls = import_string(engine_path)
    return any((c.__module__, c.__name__) == ES_ENGINE for c in getattr(cls, "__mro__", ()))


def es_active() -> bool:
    return _is_elasticsearch(settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"])


def active() -> ModuleType:
    """The module to run queries with (search.engine or search.es_engine)."""
    if es_active():
        from search import es_engine

        return es_engine
    from search import engine

    return engine

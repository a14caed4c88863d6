"""Structured logs: one JSON object a line for every search and every editorial action.

Search views call `log_search(...)` once per answered query (a page served as kept, without
running its view, logs the searches it was made of again: `log_kept_searches`); editorial
code calls `log_editorial(...)`. Both write to their own logger ("archive.search", "archive.editorial"),
which settings.LOGGING sends through `JsonFormatter` to stderr, where gunicorn's and the
platform's log collection pick it up. Anything extra passed as `extra={"fields": {...}}` to any
logger ends up as JSON keys as well.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

search_log = logging.getLogger("archive.search")
editorial_log = logging.getLogger("archive.editorial")

MAX_QUERY_LOGGED = 500  # characters: a hostile query must not make a huge log line

# The search events being logged while a page is rendered for keeping (see recording_searches).
_recorded: ContextVar[list[dict] | None] = ContextVar("recorded_searches", default=None)


class JsonFormatter(logging.Formatter):
    """`{"ts": ..., "level": ..., "logger": ..., "msg": ..., **fields}`, non-ASCII kept readable."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _clean_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (filters or {}).items() if v not in (None, "", [], ())}


def log_search(
    *,
    query: str,
    filters: Mapping[str, Any] | None,
    hits: int | None,
    elapsed_ms: float,
    page: int | None = None,
    view: str = "search",
    cached: bool = False,
    error: str | None = None,
) -> None:
    """Record one answered search.

    `view` names where it came from ("search" page, "grid", "api"); `hits` is the total count
    of matches (None when the query failed); `elapsed_ms` is the time spent answering it.
    """
    fields = {
        "event": "search",
        "view": view,
        "query": (query or "")[:MAX_QUERY_LOGGED],
        "filters": _clean_filters(filters),
        "hits": hits,
        "ms": round(elapsed_ms, 1),
        "cached": cached,
    }
    if page is not None:
        fields["page"] = page
    if error:
        fields["error"] = error
    search_log.info("search", extra={"fields": fields})
    if (recorded := _recorded.get()) is not None:
        recorded.append(fields)


@contextmanager
def recording_searches() -> Iterator[list[dict]]:
    """The search events logged inside the block, as well as logged: a page kept for later
    readers (config.http_cache.kept_by_etag) keeps them too, so that each reader served the
    kept page is counted as the search it is (`log_kept_searches`)."""
    events: list[dict] = []
    token = _recorded.set(events)
    try:
        yield events
    finally:
        _recorded.reset(token)


def log_kept_searches(events: list[dict], elapsed_ms: float) -> None:
    """Record again the searches of a page served as kept, without running them: the same
    query, filters, hits and page, `cached` and `kept` true, and the time serving it took."""
    for fields in events:
        search_log.info(
            "search",
            extra={"fields": {**fields, "ms": round(elapsed_ms, 1), "cached": True, "kept": True}},
        )


class SearchTimer:
    """`with SearchTimer() as t: ...` then `t.ms`: the elapsed milliseconds."""

    def __enter__(self) -> SearchTimer:
        self._start = time.perf_counter()
        self.ms = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.ms = (time.perf_counter() - self._start) * 1000


def log_editorial(
    *, user, action: str, report=None, changes: Mapping[str, Any] | None = None, **details: Any
) -> None:
    """Record one editorial action: who (user), what (action: "upload", "publish", "correct",
    "withdraw", "reparse", ...), on which report, and what changed ({field: [old, new]})."""
    fields: dict[str, Any] = {
        "event": "editorial",
        "action": action,
        "user": getattr(user, "get_username", lambda: None)() if user is not None else None,
    }
    if report is not None:
        fields["report"] = getattr(report, "public_id", None) or str(report)
    if changes:
        fields["changes"] = dict(changes)
    fields.update(details)
    editorial_log.info(action, extra={"fields": fields})

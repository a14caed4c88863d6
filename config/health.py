"""/healthz: is this worker able to serve? Checks the database and the search index.

200 with `{"status": "ok", ...}` when both answer; 503 with `{"status": "error", ...}` and a
message per failed check otherwise, so that a load balancer takes the host out and a person
reading the answer knows what to fix. Never a 500: every check catches its own failure.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.cache import index_path, whoosh_index_version

log = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as e:  # any failure here means "cannot serve", whatever its class
        return {"ok": False, "error": f"database unavailable: {type(e).__name__}: {e}"[:300]}
    return {"ok": True, "vendor": connection.vendor,
            "ms": round((time.perf_counter() - start) * 1000, 1)}


class IndexDamaged(Exception):
    """What check_whoosh_index found wrong, in words safe to show (no paths)."""


def _recall_sections(path) -> int:
    """Sections in the recall index (search.recall) beside Whoosh, read-only."""
    import sqlite3

    from search.recall import FILENAME

    recall = Path(path) / FILENAME
    if not recall.exists():
        raise IndexDamaged("recall index missing (run manage.py rebuild_search_index)")
    conn = sqlite3.connect(f"file:{recall}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM units").fetchone()[0]
    finally:
        conn.close()


def _check_search_index() -> dict[str, Any]:
    from search.engines import get_engine

    return get_engine().health()


def check_whoosh_index() -> dict[str, Any]:
    """Open the live Whoosh index read-only (never takes the writer's lock) and read its table
    of contents: the generation and document count the last commit recorded."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import FileStorage

    path = index_path()
    start = time.perf_counter()
    try:
        if not path.is_dir():
            return {"ok": False, "error": f"index folder missing: {path.name} "
                                          "(run manage.py rebuild_search_index)"}
        if not whoosh_index.exists_in(str(path)):
            return {"ok": False,
                    "error": f"no index in {path.name} (run manage.py rebuild_search_index)"}
        # The table of contents alone (schema, generation, segments and their document counts):
        # opening segment readers as well would cost ~100 ms a probe on a mid-sized index.
        storage = FileStorage(str(path), readonly=True)
        toc = whoosh_index.TOC.read(storage, "MAIN")  # haystack's index name
        missing = [seg.segment_id() for seg in toc.segments
                   if not any(storage.file_exists(seg.make_filename(ext))
                              for ext in (".seg", ".trm", ".pst"))]
        if missing:
            raise IndexDamaged(f"segment files missing: {', '.join(missing)}")
        docs = sum(seg.doc_count() for seg in toc.segments)
        generation = toc.generation
        recall_sections = _recall_sections(path)
    except Exception as e:  # unreadable, truncated, corrupted: all mean "cannot search"
        # The exception's text may name files by absolute path: the log gets it, the public
        # answer only the kind of failure.
        log.error("health: index unreadable at %s: %r", path, e)
        detail = str(e) if isinstance(e, IndexDamaged) else f"{type(e).__name__}; see the server log"
        return {"ok": False, "error": f"index unreadable: {detail}"}
    return {"ok": True, "generation": generation, "documents": docs,
            "recall_sections": recall_sections,
            # A digest, not the raw key: the key holds the index folder's absolute path, which
            # a public endpoint has no business showing.
            "version": hashlib.sha256(whoosh_index_version(path).encode()).hexdigest()[:16],
            "ms": round((time.perf_counter() - start) * 1000, 1)}


def check_queue() -> dict[str, Any]:
    """Index changes written but not yet applied by the single writer. Past the staleness
    bound (SEARCH_STALENESS_BOUND_SECONDS) the archive is not doing what it promises — a
    published change searchable within seconds — so the check fails and names the cause: the
    writer's last error, or that no writer has tried (it is not running)."""
    try:
        from search.indexing import queue_state

        state = queue_state()
    except Exception as e:
        return {"ok": False, "pending": None,
                "error": f"index queue unreadable: {type(e).__name__}"}
    oldest = state["oldest_pending_seconds"]
    bound = state["bound_seconds"]
    state["ok"] = oldest is None or oldest <= bound
    if not state["ok"]:
        cause = (f"the writer's last attempt failed ({state['attempts']} attempts): "
                 f"{state['last_error']}" if state["last_error"]
                 else "no writer has applied it: is the index writer (apply_index_queue --loop) "
                      "running?")
        state["error"] = (f"{state['pending']} index change(s) pending, the oldest for "
                          f"{oldest:.0f} s (bound {bound:g} s): {cause}")
    return state


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    search_index = _check_search_index()
    queue = check_queue() if database["ok"] else {"ok": True, "pending": None}
    checks = (database, search_index, queue)
    ok = all(c["ok"] for c in checks)
    body = {"status": "ok" if ok else "error", "database": database, "index": search_index,
            "queue": queue}
    errors = [c["error"] for c in checks if not c["ok"]]
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})

"""/healthz: is this worker able to serve? Checks the database, the search index
(through the engine, search.health for Whoosh) and the index queue.

200 with `{"status": "ok", ...}` when both answer; 503 with `{"status": "error", ...}` and a
message per failed check otherwise, so that a load balancer takes the host out and a person
reading the answer knows what to fix. Never a 500: every check catches its own failure.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as e:  # any failure here means "cannot serve", whatever its class
        return {"ok": False, "error": f"database unavailable: {type(e).__name__}: {e}"[:300]}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round((time.perf_counter() - start) * 1000, 1),
    }


def _check_search_index() -> dict[str, Any]:
    """The configured engine's own check (the Whoosh one is search.health)."""
    from search.engines import get_engine

    return get_engine().health()


def check_queue() -> dict[str, Any]:
    """Index changes written but not yet applied by the single writer. Past the staleness
    bound (SEARCH_STALENESS_BOUND_SECONDS) the archive is not doing what it promises — a
    published change searchable within seconds — so the check fails and names the cause: the
    writer's last error, or that no writer has tried (it is not running)."""
    try:
        from search.indexing import queue_state

        state = queue_state()
    except Exception as e:
        return {
            "ok": False,
            "pending": None,
            "error": f"index queue unreadable: {type(e).__name__}",
        }
    oldest = state["oldest_pending_seconds"]
    bound = state["bound_seconds"]
    state["ok"] = oldest is None or oldest <= bound
    if not state["ok"]:
        cause = (
            f"the writer's last attempt failed ({state['attempts']} attempts): "
            f"{state['last_error']}"
            if state["last_error"]
            else "no writer has applied it: is the index writer (apply_index_queue --loop) running?"
        )
        state["error"] = (
            f"{state['pending']} index change(s) pending, the oldest for "
            f"{oldest:.0f} s (bound {bound:g} s): {cause}"
        )
    return state


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    search_index = _check_search_index()
    queue = check_queue() if database["ok"] else {"ok": True, "pending": None}
    checks = (database, search_index, queue)
    ok = all(c["ok"] for c in checks)
    body = {
        "status": "ok" if ok else "error",
        "database": database,
        "index": search_index,
        "queue": queue,
    }
    errors = [c["error"] for c in checks if not c["ok"]]
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})

"""Readying a web worker before it takes traffic (gunicorn's post_worker_init hook).

Without it, a new or respawned worker paid for jieba's dictionary (about a second), opening the
search index (about a second on a large one) and compiling the page templates inside its first
request: a reader waited ~2 s where any other request takes tens of milliseconds. gunicorn
calls the hook after the worker has loaded the application and before it accepts a
connection, so that cost moves to the worker's start. Not `preload_app`: the master would then
load Django and the index and fork them into every worker, but the master also supervises the
background writer and is kept free of the application (config/background.py), and a searcher
opened before fork would share file positions between processes.
"""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger("archive.warmup")

# The templates nearly every request renders: compiled once here, then reused by Django's
# cached loader (DEBUG off).
TEMPLATES = (
    "base.html",
    "search/search.html",
    "archive/report_detail.html",
    "archive/tombstone.html",
)


def warm_up() -> dict[str, float]:
    """Load what the first requests would otherwise load; return each step's milliseconds.

    Never fails the worker: an index that cannot be opened now is reported by /healthz and
    opened by the first request that needs it, as before."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from search.analysis import get_jieba
    from search.engines import get_engine

    def step(name: str, action) -> None:
        started = time.perf_counter()
        try:
            action()
        except Exception as error:  # a warm-up failure must not stop the worker
            log.warning("warm-up step %s failed (pid %d): %s", name, os.getpid(), error)
        timings[name] = round((time.perf_counter() - started) * 1000, 1)

    timings: dict[str, float] = {}
    step("jieba", get_jieba)
    step("index", get_engine().warm_up)
    step("urls", lambda: get_resolver().url_patterns)
    step("templates", lambda: [get_template(name) for name in TEMPLATES])
    log.info(
        "warm-up done (pid %d): %s",
        os.getpid(),
        ", ".join(f"{k} {v} ms" for k, v in timings.items()),
    )
    return timings

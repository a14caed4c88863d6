"""A fresh or respawned worker's first request against the median of the requests after it.

    .venv/bin/python bench/first_request.py --archive var/bench-1k

Real gunicorn (config/gunicorn.conf.py, its warm-up hook) with one web worker serves an
archive a load test prepared (`load_test.py --reuse FOLDER --keep`), its results cache
emptied first. Every request is a grid search for a query no request asked before, so none
is served from the cache: the first request pays only what a new worker has not loaded yet.
Then the worker is killed; gunicorn's master starts another, which warms up, and its first
request is timed the same way. The bar: first request <= 2x the median.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_test import PLACES, QUERIES, Archive, request  # noqa: E402

WARMED = re.compile(r"warm-up done \(pid (\d+)\)")


def distinct_queries():
    for place in PLACES[2:]:
        for q in QUERIES:
            yield {"q": q, "view": "grid", **({"place": place} if place else {})}


def timed(port: int, params: dict) -> float:
    t = time.perf_counter()
    status, _, _ = request(port, "GET", "/search/?" + urlencode(params), timeout=120)
    assert status == 200, (params, status)
    return (time.perf_counter() - t) * 1000


def wait_warmed(archive: Archive, pid: int, limit: float = 120.0) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        log = archive.log_path.read_text(errors="replace")
        if any(int(m[1]) == pid for m in WARMED.finditer(log)):
            return
        time.sleep(0.2)
    raise SystemExit(f"worker {pid} did not warm up within {limit:.0f} s")


def new_worker(archive: Archive, old: set[int], limit: float = 60.0) -> int:
    deadline = time.time() + limit
    while time.time() < deadline:
        pids = set(archive.worker_pids()) - old
        if pids:
            return pids.pop()
        time.sleep(0.2)
    raise SystemExit("gunicorn started no new worker")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--after", type=int, default=15, help="requests timed after the first")
    args = parser.parse_args(argv)
    archive = Archive(args.archive.resolve(), workers=1)
    shutil.rmtree(archive.folder / "cache", ignore_errors=True)
    queries = distinct_queries()
    print(f"uptime: {os.popen('uptime').read().strip()}")
    archive.start()  # answers /healthz: the worker has warmed up (post_worker_init runs first)
    try:
        for label in ("fresh worker", "respawned worker"):
            pid = archive.worker_pids()[0]
            wait_warmed(archive, pid)
            first = timed(archive.port, next(queries))
            rest = [timed(archive.port, next(queries)) for _ in range(args.after)]
            median = statistics.median(rest)
            verdict = "meets" if first <= 2 * median else "MISSES"
            print(
                f"{label} (pid {pid}): first request {first:.0f} ms, median of the next "
                f"{len(rest)} {median:.0f} ms: {first / median:.2f}x ({verdict} the bar: "
                f"<= 2x)  (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            if label == "fresh worker":
                os.kill(pid, signal.SIGKILL)
                wait_warmed(archive, new_worker(archive, {pid}))
    finally:
        archive.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

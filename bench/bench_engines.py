"""Whoosh beside OpenSearch on the same archive: index build and query latency, one run.

    scripts/with-opensearch .venv/bin/python bench/bench_engines.py --reports 1000
    scripts/with-opensearch .venv/bin/python bench/bench_engines.py --reports 10000   # make bench

A throwaway folder holds an SQLite database with `--reports` synthetic reports
(bench/synthetic.py, stored directly as bench_search.py does). Both engines index the same
published reports with search.indexing.rebuild (Whoosh + its FTS5 recall index; OpenSearch
through search.opensearch_backend, tokens made in Python by the same code), and the same queries go
through Django's full stack to the search page (list view, snippets and marks), the grid and
the API, cache off. Printed: build seconds and reports/s, index size (OpenSearch: the store
size it reports), and p50/p95 per page kind for each engine; then whether both engines gave
the same count for every query. A JSON line (ENGINES_JSON) carries the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_search import QUERIES, dir_mb, load_corpus, percentile, setup_django  # noqa: E402

ENGINE = "search.opensearch_backend.JiebaElasticsearchEngine"
PAGES = {
    "search": lambda q: ("/search/", {"q": q, "view": "list"}),
    "grid": lambda q: ("/search/", {"q": q}),
    "api": lambda q: ("/api/search", {"q": q}),
}


def switch(conf: dict) -> None:
    from django.conf import settings
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = conf
    connections.connections_info = conf
    connections.reload("default")


def measure(client, requests: int) -> tuple[dict, dict]:
    """p50/p95 in ms per page kind, and each query's count (from the API)."""
    times: dict[str, list[float]] = {k: [] for k in PAGES}
    counts: dict[str, int] = {}
    for q in QUERIES:  # one unmeasured round: worker caches, jieba, the index opened
        client.get("/api/search", {"q": q})
    for _ in range(requests):
        for q in QUERIES:
            for kind, make in PAGES.items():
                path, params = make(q)
                start = time.perf_counter()
                response = client.get(path, params)
                times[kind].append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{kind} {q!r}: HTTP {response.status_code}")
                if kind == "api":
                    counts[q] = response.json()["count"]
    figures = {
        k: {"p50_ms": round(percentile(v, 0.5), 1), "p95_ms": round(percentile(v, 0.95), 1)}
        for k, v in times.items()
    }
    return figures, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000, help="synthetic reports (1000)")
    parser.add_argument("--requests", type=int, default=3, help="rounds of the query list (3)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (7)")
    args = parser.parse_args(argv)
    url = os.environ.get("ARCHIVE_SEARCH_URL")
    if not url:
        raise SystemExit("run under scripts/with-opensearch (ARCHIVE_SEARCH_URL is not set)")

    tmp = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    try:
        setup_django(tmp)
        from django.conf import settings
        from django.test import Client

        from search.indexing import rebuild

        print(f"storing {args.reports} synthetic reports in {tmp} ...", flush=True)
        chars, nbytes = load_corpus(args.reports, args.seed)
        whoosh = {"default": {**settings.HAYSTACK_CONNECTIONS["default"]}}
        index_name = f"bench_engines_{os.getpid()}"
        opensearch = {
            "default": {
                **whoosh["default"],
                "ENGINE": ENGINE,
                "URL": url,
                "INDEX_NAME": index_name,
                "TIMEOUT": 120,
            }
        }
        client = Client()
        out: dict = {"reports": args.reports, "characters": chars, "mb": round(nbytes / 1e6, 1)}
        for name, conf in (("whoosh", whoosh), ("opensearch", opensearch)):
            switch(conf)
            start = time.perf_counter()
            info = rebuild()
            seconds = time.perf_counter() - start
            if name == "whoosh":
                size = dir_mb(Path(settings.WHOOSH_INDEX_DIR).resolve().parent)
            else:
                from haystack import connections

                conn = connections["default"].get_backend().conn
                conn.indices.refresh(index=index_name)
                stats = conn.indices.stats(index=index_name, metric="store")
                size = stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6
            figures, counts = measure(client, args.requests)
            out[name] = {
                "build_s": round(seconds, 1),
                "reports_per_s": round(args.reports / seconds, 1),
                "sections": info.get("sections"),
                "index_mb": round(size, 1),
                "pages": figures,
                "counts": counts,
            }
            print(
                f"{name:<10} build {seconds:7.1f} s = {args.reports / seconds:6.1f} reports/s, "
                f"index {size:7.1f} MB",
                flush=True,
            )
            for kind, f in figures.items():
                print(f"{'':<10} {kind:<7} p50 {f['p50_ms']:7.1f} ms  p95 {f['p95_ms']:7.1f} ms")
        differ = [
            q for q in QUERIES if out["whoosh"]["counts"][q] != out["opensearch"]["counts"][q]
        ]
        out["same_counts"] = not differ
        print(
            f"same count from both engines for {len(QUERIES) - len(differ)}/{len(QUERIES)} "
            f"queries" + (f"; differ: {differ}" if differ else "")
        )
        switch(opensearch)
        from haystack import connections

        connections["default"].get_backend().conn.indices.delete(index=f"{index_name}-*")
        print("ENGINES_JSON " + json.dumps(out, ensure_ascii=False))
        return 0 if not differ else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""The search page under concurrent clients: gunicorn (as deployed) on an archive folder that
bench/bench_search.py made, N clients over loopback, p50/p95 of the search page.

    .venv/bin/python bench/bench_concurrent.py --reuse var/bench-10k            # 8 clients
    .venv/bin/python bench/bench_concurrent.py --reuse var/bench-10k --clients 16

bench/bench_search.py calls `concurrent_figures` after its single-client figures (its
--clients, 8 by default). The bar: search page p95 <= 800 ms with 8 clients on 2 cores, cache
off. Each client sends every query of bench_search.QUERIES in its own order (a fixed seed),
`rounds` times, after a few requests that make every worker open its index.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_search import QUERIES, load_average, percentile  # noqa: E402
from bench.load_test import Archive, request  # noqa: E402

CONCURRENT_BAR = 800  # ms, search page p95 with 8 clients on 2 cores


def concurrent_figures(folder: Path, clients: int = 8, rounds: int = 2, workers: int = 4) -> dict:
    """Serve `folder` with gunicorn (`workers` web workers, cache off) and measure the search
    page under `clients` concurrent clients."""
    archive = Archive(Path(folder), workers=workers)
    archive.refresh()  # migrations and static files of the code as it is now
    archive.start({"ARCHIVE_SEARCH_CACHE_SECONDS": "0"})
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        # Every worker opens its index before the clock starts (a deployment warms up).
        for _ in range(2 * workers):
            request(archive.port, "GET", "/search/?" + urlencode({"q": "发展"}))

        def client(n: int) -> None:
            rng = random.Random(n)
            for _ in range(rounds):
                order = list(QUERIES)
                rng.shuffle(order)
                for q in order:
                    t = time.perf_counter()
                    try:
                        status, _, _ = request(
                            archive.port, "GET", "/search/?" + urlencode({"q": q, "view": "list"})
                        )
                    except OSError as e:
                        status = f"{type(e).__name__}"
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        if status == 200:
                            times.append(ms)
                        else:
                            errors.append(f"{q}: {status}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        archive.stop()
    figures = {
        "clients": clients,
        "workers": workers,
        "requests": len(times),
        "errors": errors,
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "requests_per_s": len(times) / wall if wall else 0.0,
        "load": load_average(),
    }
    ok = "meets" if figures["p95"] <= CONCURRENT_BAR and not errors else "MISSES"
    print(
        f"search page, {clients} concurrent clients (gunicorn, {workers} workers): "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
        f"{figures['requests_per_s']:.1f} requests/s, {len(errors)} errors "
        f"({ok} the bar: p95 <= {CONCURRENT_BAR} ms); {figures['load']}"
    )
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--reuse",
        type=Path,
        required=True,
        help="an archive folder made by bench_search.py --folder",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    figures = concurrent_figures(args.reuse.resolve(), args.clients, args.rounds, args.workers)
    return 0 if not figures["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())

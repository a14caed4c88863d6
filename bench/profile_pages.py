"""Where a worker's CPU goes, per page kind, under the load test's own request mix.

    .venv/bin/python bench/profile_pages.py --archive var/bench-1k          # CPU ms per kind
    .venv/bin/python bench/profile_pages.py --archive var/bench-1k --profile 25   # + cProfile

One process plays one gunicorn worker: the mix and the queries of bench/load_test.py
(LoadRunner.pick, the same seed), through Django's full stack (middleware, views, templates),
against an archive a load test prepared (`load_test.py --reuse FOLDER --keep`), with a fresh,
empty results cache as a worker starts with. Uploads are left out (they write). CPU time is
the process's own (time.process_time), so other load on the machine changes it far less than
it changes wall-clock latency. With --profile N, cProfile's top N functions per kind by own
time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(archive: Path, cache: Path) -> None:
    os.environ.update(
        {
            "ARCHIVE_VAR_DIR": str(archive),
            "ARCHIVE_STATIC_ROOT": str(archive / "static"),
            "ARCHIVE_CACHE_URL": str(cache),
            "ARCHIVE_RATELIMIT": "false",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def print_table(cpu: dict, wall: dict, queries: dict) -> None:
    print(
        f"{'kind':<8} {'n':>4} {'CPU ms/request':>15} {'p50 CPU':>8} {'p95 CPU':>8} "
        f"{'wall p50':>9} {'queries':>8}"
    )
    total_cpu = total_n = 0
    for kind in sorted(cpu):
        v = sorted(cpu[kind])
        total_cpu += sum(v)
        total_n += len(v)
        print(
            f"{kind:<8} {len(v):>4} {sum(v) / len(v):>15.1f} {v[len(v) // 2]:>8.1f} "
            f"{v[int(len(v) * 0.95)]:>8.1f} {sorted(wall[kind])[len(v) // 2]:>9.1f} "
            f"{sum(queries[kind]) / len(v):>8.1f}"
        )
    print(f"{'all':<8} {total_n:>4} {total_cpu / max(1, total_n):>15.1f}")


def print_profiles(profiles: dict, top: int) -> None:
    for kind, prof in sorted(profiles.items()):
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).strip_dirs().sort_stats(order).print_stats(top)
            print(f"\n=== {kind}: top {top} by {order} ===")
            print(
                "\n".join(
                    line
                    for line in out.getvalue().splitlines()
                    if line.strip() and not line.startswith("   Ordered by")
                )
            )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=600, help="requests in the mix")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="print cProfile's top N functions per kind",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="send the same mix this many times and report the last pass (2: every page "
        "seen once before, what a popular page costs once its fragments are cached)",
    )
    args = parser.parse_args(argv)
    cache = Path(tempfile.mkdtemp(prefix="profile-cache-"))
    setup(args.archive.resolve(), cache)
    from django.db import connection, reset_queries
    from django.test import Client

    from bench.load_test import LoadRunner
    from config.warmup import warm_up

    warm_up()  # as post_worker_init does: jieba and the index before traffic
    client = Client()
    runner = LoadRunner(port=0, clients=1, duration=0, max_uploads=0, seed=args.seed)
    body = client.get("/reports/").content.decode()
    runner.report_urls = sorted(set(re.findall(r'href="(/r/[0-9a-z]{8}/)"', body))) or sorted(
        set(re.findall(r'href="(/reports/[^"]+/)"', body))
    )
    rng = random.Random(args.seed)
    mix = [runner.pick(rng) for _ in range(args.requests)]
    for _ in range(args.passes - 1):
        for _kind, method, path in mix:
            if method == "GET":
                client.get(path)
    cpu, wall, queries = defaultdict(list), defaultdict(list), defaultdict(list)
    profiles: dict[str, cProfile.Profile] = {}
    statuses = defaultdict(int)
    connection.force_debug_cursor = True  # count queries without DEBUG's other costs
    for kind, method, path in mix:
        if method != "GET":
            continue
        prof = profiles.setdefault(kind, cProfile.Profile()) if args.profile else None
        reset_queries()
        t, c = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        r = client.get(path)
        if prof:
            prof.disable()
        cpu[kind].append((time.process_time() - c) * 1000)
        wall[kind].append((time.perf_counter() - t) * 1000)
        queries[kind].append(len(connection.queries))
        statuses[r.status_code] += 1
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(
        f"{sum(len(v) for v in cpu.values())} requests (pass {args.passes} of the same mix), "
        f"statuses {dict(statuses)}"
    )
    print_table(cpu, wall, queries)
    print_profiles(profiles, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())

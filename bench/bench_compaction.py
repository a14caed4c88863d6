"""Creeping slowness: search latency after many publishes, before and after the writer's
background compaction, against a fresh build of the same archive.

    .venv/bin/python bench/bench_compaction.py                      # 1,000 reports, 500 publishes
    .venv/bin/python bench/bench_compaction.py --reports 200 --publishes 100   # a quick look

Everything happens in a throwaway folder (SQLite database, index). Steps:
1. the synthetic corpus (bench/synthetic.py) stored, one rebuild: the fresh index;
2. `--publishes` single-report index commits, each what a publish does (one new segment,
   the report's old documents deleted);
3. compaction steps (search.compaction.compact_step, what the idle writer runs in a thread)
   until one finds nothing to do; the longest step is the longest merge;
4. the writer's last step once the index has been quiet: the small segments the tiers left,
   merged into one.
After each, the search page (list) and the grid are timed through Django's full stack with
the cache off: wall-clock p50/p95 and CPU ms per request (less sensitive to other load on
the machine). The bar: after the publishes and compaction, within 20% of the fresh build.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_search import QUERIES, load_corpus, percentile, setup_django  # noqa: E402

PROFILE = {"views": ()}  # --profile VIEW: where each timed VIEW's CPU goes


def timed_pages(client, rounds: int) -> dict:
    from search import whoosh_engine

    whoosh_engine.holder.reset()  # a worker's next request after a write: the new segments
    client.get("/search/", {"q": "发展"})
    out = {}
    for view in ("list", "grid"):
        profiler = cProfile.Profile() if view in PROFILE["views"] else None
        if profiler:
            profiler.enable()
        wall, cpu = [], []
        for _ in range(rounds):
            for q in QUERIES:
                t, c = time.perf_counter(), time.process_time()
                r = client.get("/search/", {"q": q, "view": view})
                cpu.append((time.process_time() - c) * 1000)
                wall.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (q, view, r.status_code)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
        out[view] = {
            "p50": percentile(wall, 0.5),
            "p95": percentile(wall, 0.95),
            "cpu_ms": sum(cpu) / len(cpu),
        }
    return out


def show(label: str, segments: int, figs: dict) -> None:
    load = os.getloadavg()[0]
    print(
        f"{label:<34} {segments:>4} segments   "
        + "   ".join(
            f"{v}: p50 {f['p50']:5.0f} ms p95 {f['p95']:5.0f} ms CPU {f['cpu_ms']:5.1f} ms"
            for v, f in figs.items()
        )
        + f"   (load {load:.1f})",
        flush=True,
    )


def ratio(after: dict, fresh: dict) -> str:
    parts = []
    for v in after:
        r = after[v]["cpu_ms"] / fresh[v]["cpu_ms"]
        parts.append(f"{v} CPU {r:.2f}x ({'meets' if r <= 1.2 else 'MISSES'} the bar: <= 1.20x)")
    return ", ".join(parts)


def compact_until_done(label: str, client, rounds: int) -> dict:
    """Compaction steps, as the idle writer runs them, until one finds nothing to do; then
    the pages timed."""
    from search import compaction

    steps, longest, t = 0, 0.0, time.perf_counter()
    while True:
        s = time.perf_counter()
        merged = compaction.compact_step()
        longest = max(longest, time.perf_counter() - s)
        if not merged:
            break
        steps += 1
    print(
        f"{label}: {steps} steps in {time.perf_counter() - t:.1f} s, longest step "
        f"{longest:.2f} s (a merge is written outside the writer lock; the lock is held only "
        "to swap in the new table of contents)"
    )
    return timed_pages(client, rounds)


def fully_merged_recall() -> int:
    """The recall index (FTS5) merged into one b-tree (SQLite's 'merge' with a negative
    page count ignores `usermerge`); returns the merge commands that found work."""
    from search.indexing import index_path
    from search.recall import RecallIndex

    recall = RecallIndex(index_path().resolve())
    try:
        steps = 0
        while True:
            before = recall.conn.total_changes
            recall.conn.execute("INSERT INTO chars(chars, rank) VALUES ('merge', -200)")
            if recall.conn.total_changes - before < 2:
                return steps
            steps += 1
    finally:
        recall.close()


def diagnose(client, rounds: int, fresh: dict) -> None:
    """Where the rest of the gap is: the recall index's b-trees, then Whoosh's segments."""
    from search import compaction
    from search.indexing import open_index

    steps = fully_merged_recall()
    figs = timed_pages(client, rounds)
    show(f"+ recall index in one ({steps} merges)", compaction.segment_count(), figs)
    print(f"  vs fresh: {ratio(figs, fresh)}")
    open_index().writer().commit(optimize=True)
    figs = timed_pages(client, rounds)
    show("+ Whoosh in one segment", compaction.segment_count(), figs)
    print(f"  vs fresh: {ratio(figs, fresh)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query list")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="then time again with the recall index merged into one b-tree, and with Whoosh "
        "merged into one segment: which part of the index a remaining gap comes from",
    )
    parser.add_argument(
        "--profile",
        action="append",
        choices=("list", "grid"),
        default=[],
        help="print where this view's CPU goes at each step (repeatable)",
    )
    args = parser.parse_args(argv)
    PROFILE["views"] = tuple(args.profile)
    tmp = Path(tempfile.mkdtemp(prefix="bench-compaction-"))
    try:
        setup_django(tmp)
        from django.conf import settings
        from django.test import Client

        from search import analysis, compaction
        from search.indexing import published_report_ids, rebuild, reindex_reports

        print(f"uptime: {os.popen('uptime').read().strip()}")
        load_corpus(args.reports, args.seed)
        analysis.get_jieba()
        info = rebuild()
        print(
            f"fresh build: {info['reports']} reports, {info['sections']} sections, "
            f"{info['seconds']:.0f} s"
        )
        client = Client()
        fresh = timed_pages(client, args.rounds)
        show("fresh build", compaction.segment_count(), fresh)

        ids = published_report_ids()
        rng = random.Random(args.seed)
        t = time.perf_counter()
        for _ in range(args.publishes):
            reindex_reports([rng.choice(ids)])
        print(
            f"{args.publishes} publishes (one index commit each) in {time.perf_counter() - t:.0f} s"
        )
        before = timed_pages(client, args.rounds)
        show(f"after {args.publishes} publishes", compaction.segment_count(), before)

        tiers = compact_until_done("compaction (size tiers)", client, args.rounds)
        show("after publishes + tiers", compaction.segment_count(), tiers)
        # The writer then stays idle: past SEARCH_COMPACT_SWEEP_IDLE_SECONDS without a commit,
        # its last step merges the small segments the tiers left into one.
        settings.SEARCH_COMPACT_SWEEP_IDLE_SECONDS = 0
        after = compact_until_done("idle sweep (small segments into one)", client, args.rounds)
        show("after publishes + tiers + sweep", compaction.segment_count(), after)
        print(f"without compaction vs fresh: {ratio(before, fresh)}")
        print(f"tiers only vs fresh:         {ratio(tiers, fresh)}")
        print(f"tiers + sweep vs fresh:      {ratio(after, fresh)}")
        if args.diagnose:
            diagnose(client, args.rounds, fresh)
        print(f"uptime: {os.popen('uptime').read().strip()}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

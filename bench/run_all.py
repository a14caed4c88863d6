"""`make bench`: every benchmark of the archive in one run, figures printed as they come.

    .venv/bin/python bench/run_all.py            # the full figures (long: tens of minutes)
    .venv/bin/python bench/run_all.py --quick    # the same steps, small sizes (a few minutes)
    .venv/bin/python bench/run_all.py --skip faults,fuzz

Steps, each a script of its own that can also be run alone:
  ingest    bench/bench_ingest.py    the ingest pipeline's throughput
  search    bench/bench_search.py    index build and query figures on the synthetic corpus
                                     (1,000 reports; search-10k: 10,000, kept for the load test;
                                     search-real: the real archive): page, grid, API, trend,
                                     CSV, page 40, then 8 concurrent clients through gunicorn
                                     (bench/bench_concurrent.py)
  engines   bench/bench_engines.py   Whoosh beside OpenSearch on the same synthetic archive
                                     (build, page latency, equal counts; full: 10,000 reports),
                                     under scripts/with-opensearch
  cluster   bench/opensearch_cluster.py  a node of a two-node OpenSearch cluster killed under a
                                     50-client load
  explorer  bench/bench_explorer.py  commitments tables
  registry  bench/bench_registry.py  /permalinks.csv|json at 10,000 reports: build, repeat
  compaction bench/bench_compaction.py list/grid latency after 500 publishes, before and
                                     after the writer's background compaction, vs a fresh build
  load-1k   bench/load_test.py       gunicorn under a mixed load: 3 min x 50 clients at 1,000
                                     reports, then through nginx's proxy_cache, then the
                                     searches alone against haystack's default search page
                                     (bench/haystack_baseline) and the ratio
  profile   bench/profile_pages.py   CPU ms per request per page kind (one worker, the same mix;
                                     profile-warm: its second pass)
  first-request bench/first_request.py a fresh and a respawned worker's first request vs median
  load      bench/load_test.py       the same load at 10,000 reports (quick: 45 s, 20 reports),
                                     direct and through nginx's proxy_cache
  faults    bench/faults.py          worker killed, index missing/corrupted, database restart
  big-upload tests/integration/test_big_uploads.py with a 45 MB report (ARCHIVE_BIG_UPLOAD_MB)
  fuzz      tests/ops/test_hostile_input.py with HYPOTHESIS_PROFILE=long (ten times the cases)
Steps whose script does not exist are skipped. The fault step runs under scripts/with-postgres
(a throwaway server it may restart); under scripts/with-postgres, the load step runs on
PostgreSQL too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


BIG = ROOT / "var" / "bench-10k"  # the 10,000-report archive, built once, served by the load test
MID = ROOT / "var" / "bench-1k"  # the 1,000-report load test's archive (profile, first request)
QUICK = ROOT / "var" / "bench-quick"  # the quick load test's


def steps(quick: bool) -> list[tuple[str, list[str], dict[str, str]]]:
    b = ROOT / "bench"
    if quick:
        return [
            ("ingest", [str(b / "bench_ingest.py"), "--repeat", "1"], {}),
            (
                "search",
                [
                    str(b / "bench_search.py"),
                    "--reports",
                    "100",
                    "--baseline-reports",
                    "10",
                    "--queries",
                    "70",
                    "--requests",
                    "1",
                ],
                {},
            ),
            ("search-real", [str(b / "bench_search.py"), "--real", "--requests", "1"], {}),
            ("engines", [str(b / "bench_engines.py"), "--reports", "200", "--requests", "1"], {}),
            (
                "cluster",
                [str(b / "opensearch_cluster.py"), "--clients", "20", "--seconds", "30"],
                CLUSTER,
            ),
            ("explorer", [str(b / "bench_explorer.py"), "--reports", "1000", "--runs", "5"], {}),
            (
                "compaction",
                [
                    str(b / "bench_compaction.py"),
                    "--reports",
                    "100",
                    "--publishes",
                    "60",
                    "--rounds",
                    "1",
                ],
                {},
            ),
            (
                "load",
                [
                    str(b / "load_test.py"),
                    "--duration",
                    "45",
                    "--reports",
                    "20",
                    "--proxy",
                    "--baseline",
                    "--reuse",
                    str(QUICK),
                ],
                {},
            ),
            (
                "profile",
                [str(b / "profile_pages.py"), "--archive", str(QUICK), "--requests", "200"],
                {},
            ),
            ("first-request", [str(b / "first_request.py"), "--archive", str(QUICK)], {}),
            ("registry", [str(b / "bench_registry.py"), "--reports", "1000"], {}),
            ("faults", [str(b / "faults.py"), "--seconds", "15"], {}),
            ("fuzz", FUZZ, {"HYPOTHESIS_PROFILE": "ci"}),
        ]
    return [
        ("ingest", [str(b / "bench_ingest.py")], {}),
        ("search", [str(b / "bench_search.py"), "--reports", "1000"], {}),
        ("search-real", [str(b / "bench_search.py"), "--real"], {}),
        # The same at 10,000 reports (about 40 minutes: most of it the index build), kept in
        # var/bench-10k for the load test, which then serves the very same corpus.
        (
            "search-10k",
            [str(b / "bench_search.py"), "--reports", "10000", "--folder", str(BIG)],
            {},
        ),
        ("engines", [str(b / "bench_engines.py"), "--reports", "10000", "--requests", "2"], {}),
        ("cluster", [str(b / "opensearch_cluster.py")], CLUSTER),
        ("explorer", [str(b / "bench_explorer.py")], {}),
        ("registry", [str(b / "bench_registry.py"), "--reports", "10000"], {}),
        # Latency after 500 publishes, before and after the writer's compaction, vs a fresh
        # build of 1,000 reports.
        ("compaction", [str(b / "bench_compaction.py")], {}),
        # The 50-client mixed load at 1,000 reports, direct and through nginx, kept for the
        # profile and first-request steps; then the same at 10,000.
        (
            "load-1k",
            [
                str(b / "load_test.py"),
                "--full",
                "--reuse",
                str(MID),
                "--reports",
                "40",
                "--bulk-reports",
                "960",
                "--proxy",
                "--baseline",
            ],
            {},
        ),
        ("profile", [str(b / "profile_pages.py"), "--archive", str(MID)], {}),
        # The same mix a second time: what pages cost once their fragments are cached.
        (
            "profile-warm",
            [str(b / "profile_pages.py"), "--archive", str(MID), "--passes", "2"],
            {},
        ),
        ("first-request", [str(b / "first_request.py"), "--archive", str(MID)], {}),
        (
            "load",
            [
                str(b / "load_test.py"),
                "--full",
                "--reuse",
                str(BIG),
                "--bulk-reports",
                "10000",
                "--proxy",
            ],
            {},
        ),
        ("first-request-10k", [str(b / "first_request.py"), "--archive", str(BIG)], {}),
        ("faults", [str(b / "faults.py")], {}),
        ("big-upload", BIG_UPLOAD, {"ARCHIVE_BIG_UPLOAD_MB": "45"}),
        ("fuzz", FUZZ, {"HYPOTHESIS_PROFILE": "long"}),
    ]


# The cluster step's own two nodes (scripts/with-opensearch reads these).
CLUSTER = {
    "ARCHIVE_OPENSEARCH_NODES": "2",
    "ARCHIVE_OPENSEARCH_PIDS": str(ROOT / "var" / "opensearch-cluster-nodes"),
}
OPENSEARCH_STEPS = {"engines", "cluster"}

# Uploads through gunicorn, with the 45 MB report the suite leaves out (minutes to parse).
BIG_UPLOAD = [
    "-m",
    "pytest",
    "-q",
    "-s",
    "-p",
    "no:cacheprovider",
    str(ROOT / "tests" / "integration" / "test_big_uploads.py"),
]

FUZZ = [
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "--hypothesis-show-statistics",
    str(ROOT / "tests" / "ops" / "test_hostile_input.py"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes in all")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    results = []
    for name, cmd, env in steps(args.quick):
        script = Path(cmd[0])
        if name in skip:
            continue
        if cmd[0] != "-m" and not script.exists():
            print(f"\n### {name}: {script.name} not present, skipped", flush=True)
            continue
        if name == "search-10k" and BIG.exists():
            shutil.rmtree(BIG)  # a fresh build each time: the build is part of the figures
        full = [PY, *cmd]
        if (
            name == "faults"
            and "ARCHIVE_PG_CTL" not in os.environ
            and any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        ):
            # The database-restart fault needs a PostgreSQL server this run may restart.
            full = [str(ROOT / "scripts" / "with-postgres"), *full]
        if name in OPENSEARCH_STEPS:
            full = [str(ROOT / "scripts" / "with-opensearch"), *full]
        print(f"\n### {name}: {' '.join(Path(c).name if c == PY else c for c in full)}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(full, cwd=ROOT, env={**os.environ, **env})
        elapsed = time.perf_counter() - start
        results.append((name, done.returncode, elapsed))
    print("\n### summary")
    for name, rc, elapsed in results:
        print(f"  {name:<9} {'ok' if rc == 0 else f'FAILED (exit {rc})':<16} {elapsed:7.1f} s")
    return 0 if all(rc == 0 for _, rc, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

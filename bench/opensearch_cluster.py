"""A node of a two-node OpenSearch cluster killed under load (reuses bench/load_test.py).

    ARCHIVE_OPENSEARCH_NODES=2 ARCHIVE_OPENSEARCH_PIDS=/tmp/nodes \\
        scripts/with-opensearch .venv/bin/python bench/opensearch_cluster.py [--clients 50]

An archive (SQLite, the seeds and synthetic reports) is indexed in the cluster, each index
with one replica, and served by gunicorn with the index writer. While `--clients` clients
send the mixed load (searches, grid, report pages, API, published uploads), the node that is
not the elected cluster manager is killed with SIGKILL after a third of the run and started
again after two thirds. The client knows both nodes and moves to the living one.

Checked, and printed as one JSON line (CLUSTER_JSON) for tests/search/test_opensearch_cluster.py:
no answer was a 500 (503s are counted: a clear "try again"), the cluster is green again after
the restart, every published upload is found by the API, and check_search_index finds no drift
between the database and the index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import PY, ROOT, Archive, LoadRunner, request

ENGINE = "search.opensearch_backend.JiebaElasticsearchEngine"


class ClusterArchive(Archive):
    """An archive whose index lives in the OpenSearch cluster at `urls`."""

    urls: str = ""
    index_name: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "ARCHIVE_SEARCH_ENGINE": ENGINE,
            "ARCHIVE_SEARCH_URL": self.urls,
            "ARCHIVE_SEARCH_INDEX_NAME": self.index_name,
            # One cached answer for all workers would hide the fault from the clients.
            "ARCHIVE_SEARCH_CACHE_SECONDS": "0",
        }


def nodes(pids_file: Path) -> list[dict]:
    out = []
    for line in pids_file.read_text().splitlines():
        name, pid, port, start = line.split()
        out.append({"name": name, "pid": int(pid), "port": int(port), "start": start})
    return out


def get_json(url: str, timeout: float = 10) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def cluster_manager(port: int) -> str:
    return get_json(f"http://127.0.0.1:{port}/_cat/cluster_manager?format=json")[0]["node"]


def wait_status(port: int, status: str, timeout: float = 120) -> float | None:
    """Seconds until the cluster reports `status` (or better), or None."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            health = get_json(
                f"http://127.0.0.1:{port}/_cluster/health?wait_for_status={status}&timeout=5s",
                timeout=10,
            )
            if not health.get("timed_out"):
                return round(time.perf_counter() - start, 1)
        except OSError:
            time.sleep(0.5)
    return None


def uploads_found(port: int, tokens: list[str]) -> list[str]:
    """The upload tokens the API does not find (empty: all are searchable)."""
    missing = []
    for token in tokens:
        status, _, body = request(port, "GET", "/api/search?" + urlencode({"q": f'"{token}"'}))
        if status != 200 or json.loads(body).get("count", 0) < 1:
            missing.append(token)
    return missing


class TokenRunner(LoadRunner):
    """The load runner, remembering each published upload's token to look for afterwards."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tokens: list[str] = []

    def wait_searchable(self, token: str, since: float, limit: float = 60.0) -> None:
        with self.lock:
            self.tokens.append(token)
        super().wait_searchable(token, since, limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--reports", type=int, default=30, help="reports prepared (30)")
    parser.add_argument("--uploads", type=int, default=20, help="published uploads (20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    args = parser.parse_args(argv)

    urls = os.environ.get("ARCHIVE_OPENSEARCH_URLS", "")
    pids_file = os.environ.get("ARCHIVE_OPENSEARCH_PIDS", "")
    if not urls or not pids_file or len(urls.split(",")) < 2:
        raise SystemExit(
            "run under ARCHIVE_OPENSEARCH_NODES=2 ARCHIVE_OPENSEARCH_PIDS=FILE "
            "scripts/with-opensearch"
        )
    cluster = nodes(Path(pids_file))
    folder = Path(tempfile.mkdtemp(prefix="archive-cluster-"))
    archive = ClusterArchive(folder, workers=args.workers)
    archive.urls, archive.index_name = urls, f"cluster_{os.getpid()}"
    summary: dict = {"nodes": len(cluster)}
    try:
        archive.prepare(args.reports)
        archive.manage("rebuild_search_index")
        archive.start()
        runner = TokenRunner(
            archive.port, args.clients, args.seconds, max_uploads=args.uploads, seed=16
        )
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(runner.run(args.workers)))
        thread.start()

        manager = cluster_manager(cluster[0]["port"])
        victim = next(n for n in cluster if n["name"] != manager)
        survivor = next(n for n in cluster if n["name"] == manager)
        time.sleep(args.seconds / 3)
        os.kill(victim["pid"], signal.SIGKILL)
        killed_at = time.perf_counter()
        summary["killed"] = victim["name"]
        summary["yellow_after_kill_s"] = wait_status(survivor["port"], "yellow", 60)
        time.sleep(max(0.0, args.seconds / 3 - (time.perf_counter() - killed_at)))
        subprocess.Popen([victim["start"]], start_new_session=True)
        restarted_at = time.perf_counter()
        thread.join()
        green = wait_status(survivor["port"], "green", 180)
        summary["green_after_restart_s"] = (
            None if green is None else round(time.perf_counter() - restarted_at, 1)
        )
        summary["load"] = result
        statuses = result.get("statuses", {})
        summary["http_500"] = sum(
            n for s, n in statuses.items() if s.startswith("5") and s != "503"
        )
        summary["http_503"] = statuses.get("503", 0)
        summary["connection_errors"] = statuses.get("0", 0)
        summary["uploads"] = len(runner.tokens)
        summary["uploads_missing"] = uploads_found(archive.port, runner.tokens)
        check = subprocess.run(
            [PY, "manage.py", "check_search_index"],
            cwd=ROOT,
            env=archive.env,
            capture_output=True,
            text=True,
        )
        summary["drift_clean"] = check.returncode == 0
        summary["drift_report"] = (check.stdout.strip() or check.stderr.strip()).splitlines()[-1:]
    finally:
        archive.stop()
        shutil.rmtree(folder, ignore_errors=True)
    load = summary.get("load", {})
    print(
        f"cluster of {summary['nodes']} nodes, {args.clients} clients for {args.seconds:.0f} s: "
        f"{load.get('requests', 0)} requests, {load.get('rps', 0)} requests/s; "
        f"killed {summary.get('killed')} after {args.seconds / 3:.0f} s, restarted after "
        f"{2 * args.seconds / 3:.0f} s; green again {summary.get('green_after_restart_s')} s "
        f"after the restart"
    )
    print(
        f"  500s: {summary.get('http_500')}  503s: {summary.get('http_503')}  connection "
        f"errors: {summary.get('connection_errors')}  uploads: {summary.get('uploads')} "
        f"(not found afterwards: {len(summary.get('uploads_missing', []))})"
    )
    print(f"  check_search_index: {summary.get('drift_report')}")
    print("CLUSTER_JSON " + json.dumps(summary, ensure_ascii=False))
    ok = (
        summary.get("http_500") == 0
        and summary.get("green_after_restart_s") is not None
        and not summary.get("uploads_missing")
        and summary.get("uploads", 0) > 0
        and summary.get("drift_clean")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

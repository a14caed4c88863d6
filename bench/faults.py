"""Fault injection under load against gunicorn on 127.0.0.1 (reuses bench/load_test.py).

    .venv/bin/python bench/faults.py                      # worker kill, index faults (SQLite)
    scripts/with-postgres .venv/bin/python bench/faults.py  # ... and a PostgreSQL restart

Scenarios, each while clients keep sending the mixed load:
- worker-kill:   SIGKILL one gunicorn worker; the master must start a new one, and only the
                 request(s) that worker held may fail.
- index-missing: the live index link points at nothing; searches and /healthz must answer a
                 clear 503 (never a 500), and recover on their own once it is back.
- index-corrupt: the live index's table of contents overwritten with garbage, then restored.
- db-restart:    (PostgreSQL via scripts/with-postgres) `pg_ctl restart -m fast` under load:
                 requests meanwhile get a clear 503, and the archive serves again afterwards.

Root ignores file modes, so "unreadable" is made by taking the index away or corrupting it.
Printed per scenario: requests, statuses, 500s (must be 0), 503s, connection errors, and the
seconds until /healthz answered 200 again. Exit status 1 if any 500 was seen.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import Archive, LoadRunner, request


def wait_healthy(port: int, timeout: float = 60) -> float | None:
    """Seconds until /healthz answers 200, or None."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if request(port, "GET", "/healthz", timeout=5)[0] == 200:
                return round(time.perf_counter() - start, 2)
        except OSError:
            pass
        time.sleep(0.2)
    return None


def under_load(archive: Archive, clients: int, seconds: float, fault, label: str) -> dict:
    """Run the load for `seconds`; call fault(archive) -> dict after a third of it."""
    # Uploads only where the fault is not in the index: during an index fault a published
    # upload stays queued until the index is back (search.indexing.IndexMissing) and the
    # load test would count it as not searchable in time.
    uploads = 0 if label.startswith("index") else 3
    runner = LoadRunner(archive.port, clients, seconds, max_uploads=uploads, seed=len(label))
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(runner.run(archive.workers)))
    thread.start()
    time.sleep(seconds / 3 + 2)  # discovery and warm-up first
    info = fault(archive)
    thread.join()
    statuses = result.get("statuses", {})
    conn_errors = statuses.get("0", 0)
    summary = {
        "scenario": label,
        "requests": result.get("requests"),
        "statuses": statuses,
        "http_500": sum(v for k, v in statuses.items() if k.startswith("5") and k != "503"),
        "http_503": statuses.get("503", 0),
        "connection_errors": conn_errors,
        "p95_ms": result.get("overall", {}).get("p95_ms"),
        **info,
    }
    summary["healthy_after_s"] = wait_healthy(archive.port)
    return summary


def fault_worker_kill(archive: Archive) -> dict:
    before = archive.worker_pids()
    # Prefer a worker that is running right now, i.e. in the middle of a request.
    busy = [pid for pid in before if _state(pid) == "R"]
    victim = (busy or before)[0]
    os.kill(victim, signal.SIGKILL)
    t0 = time.perf_counter()
    respawn = None
    while time.perf_counter() - t0 < 30:
        now = archive.worker_pids()
        if victim not in now and len(now) >= len(before):
            respawn = round(time.perf_counter() - t0, 2)
            break
        time.sleep(0.1)
    return {
        "killed_pid": victim,
        "victim_was_busy": bool(busy),
        "workers_before": len(before),
        "workers_after": len(archive.worker_pids()),
        "respawned_in_s": respawn,
    }


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def live_index(archive: Archive) -> Path:
    return archive.folder / "whoosh_index"


def fault_index_missing(archive: Archive, outage: float = 6) -> dict:
    link = live_index(archive)
    aside = link.with_name(link.name + ".aside")
    os.replace(link, aside)  # atomic: searchers see no index at all
    observed = _observe(archive.port, outage)
    os.replace(aside, link)
    return {"during_outage": observed}


def fault_index_corrupt(archive: Archive, outage: float = 6) -> dict:
    folder = Path(os.path.realpath(live_index(archive)))
    tocs = sorted(folder.glob("*.toc"))
    saved = {p: p.read_bytes() for p in tocs}
    for p in tocs:
        p.write_bytes(b"garbage, not a whoosh table of contents")
    observed = _observe(archive.port, outage)
    for p, data in saved.items():
        p.write_bytes(data)
    return {"during_outage": observed}


def _observe(port: int, seconds: float) -> dict:
    """What /healthz and a search answer while the fault lasts."""
    seen: dict[str, int] = {}
    sample = ""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for path in ("/healthz", "/api/search?q=%E5%B0%B1%E4%B8%9A"):
            try:
                status, _, body = request(port, "GET", path, timeout=10)
            except OSError as e:
                status, body = 0, str(e).encode()
            key = f"{path.split('?')[0]} {status}"
            seen[key] = seen.get(key, 0) + 1
            if status == 503 and not sample:
                sample = body.decode(errors="replace")[:300]
        time.sleep(0.3)
    return {"answers": seen, "sample_503": sample}


def fault_db_restart(archive: Archive) -> dict:
    ctl, data = os.environ["ARCHIVE_PG_CTL"], os.environ["ARCHIVE_PG_DATA"]
    as_user = os.environ.get("ARCHIVE_PG_USER")
    cmd = [ctl, "-D", data, "-m", "fast", "-w", "restart", "-l", os.environ["ARCHIVE_PG_LOG"]]
    if as_user:
        cmd = ["runuser", "-u", as_user, "--", *cmd]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    return {"restart_s": round(time.perf_counter() - t0, 2), "pg_ctl_rc": done.returncode}


SCENARIOS = {
    "worker-kill": fault_worker_kill,
    "index-missing": fault_index_missing,
    "index-corrupt": fault_index_corrupt,
    "db-restart": fault_db_restart,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenarios",
        default="all",
        help=f"comma-separated, of: {', '.join(SCENARIOS)} (default all that apply)",
    )
    parser.add_argument("--seconds", type=float, default=24, help="load per scenario")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--reuse", metavar="FOLDER", help="an archive prepared by load_test.py")
    args = parser.parse_args(argv)
    postgres = "ARCHIVE_PG_CTL" in os.environ and os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    )
    chosen = list(SCENARIOS) if args.scenarios == "all" else args.scenarios.split(",")
    if not postgres and "db-restart" in chosen:
        chosen.remove("db-restart")
        print("db-restart skipped: run under scripts/with-postgres for it")

    folder = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="archive-faults-"))
    archive = Archive(folder)
    results = []
    try:
        if not args.reuse or not (folder / "static").exists():
            print(f"preparing {args.reports} reports in {folder} ...", flush=True)
            archive.prepare(args.reports)
        else:
            archive.refresh()
        archive.start()
        for name in chosen:
            print(f"\n== {name} ==", flush=True)
            r = under_load(archive, args.clients, args.seconds, SCENARIOS[name], name)
            results.append(r)
            print(json.dumps(r, ensure_ascii=False, indent=1))
    finally:
        archive.stop()
        if not args.reuse:
            shutil.rmtree(folder, ignore_errors=True)
    print("\nfault summary:")
    for r in results:
        print(
            f"  {r['scenario']:<14} requests {r['requests']}, 500s {r['http_500']}, "
            f"503s {r['http_503']}, connection errors {r['connection_errors']}, "
            f"healthy again after {r['healthy_after_s']} s"
        )
    print("FAULTS_JSON " + json.dumps(results, ensure_ascii=False))
    return 1 if any(r["http_500"] or r["healthy_after_s"] is None for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

"""A two-node OpenSearch cluster with one node killed under a 50-client load.

The test starts its own cluster (scripts/with-opensearch with ARCHIVE_OPENSEARCH_NODES=2) and
runs bench/opensearch_cluster.py in it: an archive served by gunicorn with the index writer,
the mixed load with published uploads, the node that is not the cluster manager killed after a
third of the run and started again after two thirds. It runs in `make test-opensearch`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.opensearch

ROOT = Path(__file__).resolve().parents[2]


def test_a_node_killed_under_load_loses_nothing(tmp_path):
    env = {
        **os.environ,
        "ARCHIVE_OPENSEARCH_NODES": "2",
        "ARCHIVE_OPENSEARCH_PIDS": str(tmp_path / "nodes"),
    }
    done = subprocess.run(
        [
            str(ROOT / "scripts" / "with-opensearch"),
            sys.executable,
            str(ROOT / "bench" / "opensearch_cluster.py"),
            "--clients",
            "50",
            "--seconds",
            "60",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("CLUSTER_JSON ")]
    assert lines, (
        f"no summary (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    summary = json.loads(lines[-1].removeprefix("CLUSTER_JSON "))
    print("\n".join(done.stdout.splitlines()[-4:-1]))
    assert summary["http_500"] == 0, summary["load"]["error_samples"]
    assert summary["connection_errors"] == 0, summary["load"]["error_samples"]
    assert summary["load"]["requests"] > 500
    assert summary["green_after_restart_s"] is not None, "the cluster did not turn green again"
    assert summary["uploads"] > 0 and summary["uploads_missing"] == []
    assert summary["drift_clean"], summary["drift_report"]
    assert done.returncode == 0

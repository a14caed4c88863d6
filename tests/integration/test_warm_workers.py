"""Warm workers, from a real gunicorn run: every web worker, the first ones and one the master
respawns after a kill, loads jieba's dictionary and opens the index in its warm-up hook, before
it accepts a connection, so no reader's request pays for them. Proved from the order of the
log lines each worker writes, not from timings (the machine is shared)."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
import requests

from tests.integration.server import ArchiveServer

BOOTED = re.compile(r"Booting worker with pid: (\d+)")
LOADED = re.compile(r"jieba dictionary loaded: \w+ \(pid (\d+)\)")
WARMED = re.compile(r"warm-up done \(pid (\d+)\): jieba [\d.]+ ms, index [\d.]+ ms")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ArchiveServer(tmp_path_factory.mktemp("warm-workers"), workers=2)
    srv.prepare()
    srv.manage("import_reports", "fixtures/seeds")
    srv.start()
    yield srv
    srv.stop()


def log_lines(server) -> list[str]:
    return (server.var_dir / "gunicorn.log").read_text(errors="replace").splitlines()


def booted_pids(server) -> list[int]:
    return [int(m.group(1)) for line in log_lines(server) if (m := BOOTED.search(line))]


def wait_for(predicate, limit: float = 60):
    deadline = time.monotonic() + limit
    while not (found := predicate()):
        assert time.monotonic() < deadline, "not within the limit"
        time.sleep(0.2)
    return found


def assert_warmed_before_traffic(server, pids: list[int]) -> None:
    lines = log_lines(server)
    for pid in pids:
        loads = [
            i for i, line in enumerate(lines) if (m := LOADED.search(line)) and int(m[1]) == pid
        ]
        warmed = [
            i for i, line in enumerate(lines) if (m := WARMED.search(line)) and int(m[1]) == pid
        ]
        assert warmed, f"worker {pid} took traffic without its warm-up"
        # Loaded once, inside the warm-up: never again by a request after it.
        assert len(loads) == 1 and loads[0] < warmed[0], (pid, loads, warmed)


def test_every_worker_warms_up_before_its_first_request(server):
    for _ in range(8):  # enough searches that both workers serve some
        assert requests.get(f"{server.url}/search/", params={"q": "发展"}, timeout=60).ok
    pids = booted_pids(server)
    assert len(pids) >= 2
    # A worker that is still warming up has taken no connection yet (the searches above may
    # all have gone to the other one): wait for its line, then check the order.
    wait_for(
        lambda: all(
            any((m := WARMED.search(line)) and int(m[1]) == pid for line in log_lines(server))
            for pid in pids
        )
    )
    assert_warmed_before_traffic(server, pids)


def test_a_respawned_worker_is_warm_before_its_first_request(server):
    before = booted_pids(server)
    os.kill(before[-1], signal.SIGKILL)
    fresh = wait_for(lambda: [p for p in booted_pids(server) if p not in before])
    wait_for(
        lambda: any(
            (m := WARMED.search(line)) and int(m[1]) == fresh[0] for line in log_lines(server)
        )
    )
    for _ in range(8):
        assert requests.get(f"{server.url}/search/", params={"q": "改革"}, timeout=60).ok
    assert_warmed_before_traffic(server, fresh)

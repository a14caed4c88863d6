"""Four gunicorn workers, twenty uploads and edits in parallel with a stream of searches:
afterwards the index and the database agree exactly, every upload is findable, and no request
failed. Then the index writer is killed (SIGKILL) in the middle of applying changes: after a
restart nothing is lost and the check command finds no drift."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import SEEDS_DIR
from tests.integration.server import PROJECT_ROOT, ArchiveServer, csrf_token

pytestmark = pytest.mark.slow

BASE_TEXT = (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_text(encoding="utf-8")
UPLOADS = 20


def marker(i: int) -> str:
    return f"并发校验码{i:03d}号"


def variant(i: int) -> bytes:
    """A distinct report (distinct bytes) carrying a phrase found nowhere else."""
    return BASE_TEXT.replace("一年来,在市委", f"一年来,{marker(i)},在市委", 1).encode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ArchiveServer(tmp_path_factory.mktemp("gunicorn-archive"), workers=4)
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


def upload_and_edit(server: ArchiveServer, i: int, failures: list, counts: dict) -> str | None:
    session = server.editor_session()
    token = csrf_token(session, f"{server.url}/upload/")
    response = session.post(f"{server.url}/upload/", timeout=120,
                            data={"csrfmiddlewaretoken": token, "publish": "on"},
                            files={"files": (f"upload-{i}.txt", variant(i), "text/plain")},
                            headers={"Referer": f"{server.url}/upload/"})
    counts["requests"] += 3
    if response.status_code != 200 or "/r/" not in response.url and "/reports/" not in response.url:
        failures.append(f"upload {i}: {response.status_code} {response.url}")
        return None
    public_id = response.text.split("/r/", 1)[1].split("/", 1)[0]
    edit = f"{server.url}/r/{public_id}/edit/"
    token = csrf_token(session, edit)
    response = session.post(edit, timeout=120, headers={"Referer": edit}, data={
        "csrfmiddlewaretoken": token, "title": f"河西区政府工作报告（并发 {i}）",
        "place": "天津市河西区", "year": str(2000 + i), "doc_type": "work_report"})
    counts["requests"] += 2
    if response.status_code != 200:
        failures.append(f"edit {i}: {response.status_code}")
    return public_id


def search_stream(server: ArchiveServer, stop: threading.Event, failures: list, counts: dict):
    session = requests.Session()
    queries = ["营商环境", "首善之区", "地区生产总值", "河西", "并发校验码", "京津冀协同发展"]
    n = 0
    while not stop.is_set():
        q = queries[n % len(queries)]
        for url in (f"{server.url}/api/search", f"{server.url}/"):
            response = session.get(url, params={"q": q}, timeout=60)
            counts["requests"] += 1
            if response.status_code != 200:
                failures.append(f"search {q}: {response.status_code}")
        n += 1


def test_parallel_uploads_edits_and_searches_leave_index_and_database_in_agreement(server):
    failures: list[str] = []
    counts = {"requests": 0}
    stop = threading.Event()
    searchers = [threading.Thread(target=search_stream, args=(server, stop, failures, counts))
                 for _ in range(3)]
    for t in searchers:
        t.start()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda i: upload_and_edit(server, i, failures, counts), range(UPLOADS)))
    stop.set()
    for t in searchers:
        t.join()
    elapsed = time.monotonic() - started
    print(f"\nconcurrency: {counts['requests']} requests in {elapsed:.1f} s, "
          f"{len(failures)} failed")
    assert failures == [], server.server_errors()
    assert None not in ids and len(set(ids)) == UPLOADS

    # Every upload is findable, under its corrected year, by a reader in the next request.
    for i, public_id in enumerate(ids):
        found = requests.get(f"{server.url}/api/search", params={"q": marker(i)}, timeout=60).json()
        assert found["count"] == 1, (i, found)
        assert public_id in found["results"][0]["report"] and found["results"][0]["year"] == 2000 + i

    check = server.manage("check_search_index", check=False)
    print(check.stdout.strip())
    assert check.returncode == 0 and "missing 0, stale 0, orphaned 0" in check.stdout


def test_a_writer_killed_mid_apply_loses_nothing(server):
    # Queue many changes without applying them, then start the single writer and kill it
    # while it writes.
    script = (
        "from archive.models import Report\n"
        "from search.indexing import enqueue_report\n"
        "for r in Report.objects.published():\n"
        "    [enqueue_report(r, apply=False) for _ in range(1)]\n")
    for _ in range(3):
        server.manage("shell", "-c", script)
    writer = subprocess.Popen([sys.executable, "manage.py", "apply_index_queue", "--timeout", "60"],
                              cwd=PROJECT_ROOT, env=server.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(1.5)
    killed_mid_write = writer.poll() is None
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    pending = int(server.manage("shell", "-v", "0", "-c",
                                "from search.models import IndexChange;"
                                "print(IndexChange.objects.filter(applied_at=None).count())"
                                ).stdout.strip())
    print(f"\nwriter killed mid-write: {killed_mid_write}; changes still queued: {pending}")
    # The kill must have interrupted real work, or this test would prove nothing.
    assert killed_mid_write and pending > 0
    # Searches keep working while the queue waits.
    assert requests.get(f"{server.url}/api/search", params={"q": "河西"}, timeout=60).status_code == 200
    restarted = server.manage("apply_index_queue")
    assert restarted.returncode == 0
    check = server.manage("check_search_index", check=False)
    print(check.stdout.strip())
    assert check.returncode == 0 and "missing 0, stale 0, orphaned 0" in check.stdout
    for i in range(UPLOADS):
        found = requests.get(f"{server.url}/api/search", params={"q": marker(i)}, timeout=60)
        assert json.loads(found.text)["count"] == 1

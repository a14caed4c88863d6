"""Big and odd uploads through gunicorn, as an editor makes them: one line of 10 MB, 100,000
lines, and a batch mixing good and bad files. Each file ends with its own clear outcome from
the background worker, no request meets the web server's timeout, and the upload, progress
and review pages answer in under 2 s."""

from __future__ import annotations

import os
import time

import pytest
import requests

from tests.conftest import SEEDS_DIR
from tests.integration.server import ArchiveServer

pytestmark = pytest.mark.slow

BASE = (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_text(encoding="utf-8")
PAGE_BUDGET = 2.0


def one_line(size: int) -> bytes:
    """The seed report with its line breaks removed, repeated to `size` bytes: one line."""
    line = BASE.replace("\n", "").encode("utf-8")
    data = (line * (size // len(line) + 1))[:size]
    return data.decode("utf-8", errors="ignore").encode("utf-8")


def many_lines(n: int) -> bytes:
    return (BASE + "\n" + "\n".join(f"第{i}行，推动经济社会发展。" for i in range(n))).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ArchiveServer(tmp_path_factory.mktemp("big-uploads"), workers=2)
    srv.prepare()
    srv.start()
    yield srv
    srv.stop()


def timed_get(session, url: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = session.get(url, timeout=60)
    return response, time.monotonic() - started


def report_text(size: int) -> bytes:
    """The seed report repeated to `size` bytes, lines and sections as written: the shape
    of a real report, but as long as the upload limit allows."""
    text = (BASE + "\n").encode("utf-8")
    data = (text * (size // len(text) + 1))[:size]
    return data.decode("utf-8", errors="ignore").encode("utf-8")


# The 45 MB text (near the 50 MB limit) parses in 75-100 s on a loaded two-core machine,
# linear now (279 s before): too long for `make test`, so it is a step of `make bench`
# (ARCHIVE_BIG_UPLOAD_MB=45); the suite uploads 12 MB of the same shape.
BIG_MB = int(os.environ.get("ARCHIVE_BIG_UPLOAD_MB", "12"))


@pytest.mark.parametrize(
    "name,make",
    [
        ("one-line-10mb.txt", lambda: one_line(10_000_000)),
        ("lines-100k.txt", lambda: many_lines(100_000)),
        (f"report-{BIG_MB}mb.txt", lambda: report_text(BIG_MB * 1_000_000)),
    ],
    ids=["one line of 10 MB", "100,000 lines", f"a {BIG_MB} MB report"],
)
def test_a_big_file_is_parsed_in_the_background_with_pages_in_budget(server, name, make):
    session = server.editor_session()
    data = make()
    batch, took = server.upload(session, [(name, data)], publish=False)
    assert took < PAGE_BUDGET * 5, took  # the upload only stages the bytes (up to 50 MB of them)
    progress, took = timed_get(session, batch)
    assert progress.status_code == 200 and took < PAGE_BUDGET
    started = time.monotonic()
    [outcome] = server.batch_outcome(session, batch, limit=900)
    print(
        f"\n{name}: {len(data) / 1e6:.0f} MB parsed and stored in "
        f"{time.monotonic() - started:.0f} s"
    )
    assert outcome["state"] == "done", outcome
    review, took = timed_get(session, f"{server.url}/r/{outcome['report']}/review/")
    print(f"{name}: review page {took:.2f} s, {len(review.content) / 1e6:.1f} MB")
    assert review.status_code == 200 and took < PAGE_BUDGET
    assert len(review.content) < 2_000_000  # bounded, whatever the size of the text
    # the report's text, in pages of paragraphs: the first and the last page
    for params in ({}, {"page": "99999999"}):
        page, took = timed_get(
            session,
            f"{server.url}/r/{outcome['report']}/v1/?"
            + "&".join(f"{k}={v}" for k, v in params.items()),
        )
        print(f"{name}: report page {params or 1} {took:.2f} s, {len(page.content) / 1e6:.1f} MB")
        assert page.status_code == 200 and took < PAGE_BUDGET
        assert len(page.content) < 2_000_000
    log = (server.var_dir / "gunicorn.log").read_text(errors="replace")
    assert "WORKER TIMEOUT" not in log and "Traceback" not in server.server_errors()


def test_each_file_of_a_mixed_batch_has_its_own_outcome(server):
    session = server.editor_session()
    batch, took = server.upload(
        session,
        [
            ("good.txt", BASE.replace("一年来,在市委", "一年来,混合批次校验码,在市委", 1).encode()),
            ("virus.exe", b"MZ\x90\x00" * 1000),
            ("empty.txt", b""),
            ("binary.txt", bytes(range(256)) * 400),
            ("broken.docx", b"PK\x03\x04 not really a zip"),
        ],
    )
    assert took < PAGE_BUDGET
    rows = server.batch_outcome(session, batch)
    states = [r["state"] for r in rows]
    assert states == ["done", "failed", "failed", "failed", "failed"], rows
    assert rows[0]["report"]
    for row in rows[1:]:
        assert 'class="error"' in row["row"]  # a reason on every failed file
    assert server.wait_until_applied(limit=30) >= 0
    found = requests.get(f"{server.url}/api/search", params={"q": "混合批次校验码"}, timeout=30)
    assert found.json()["count"] == 1
    assert "Traceback" not in server.server_errors()

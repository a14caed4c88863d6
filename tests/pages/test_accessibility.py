"""axe-core, run in headless Chromium on every page template at phone and laptop width, finds no
violations (WCAG 2.1 A and AA rules and axe's best practices); and every page stays within its
weight budget (docs/guide.md: "Page budget"): HTML gzip-compressed, page weight measured as the browser
received it."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.pages.conftest import LAPTOP, PHONE, SCREENSHOTS
from tests.pages.pagelist import editor_pages, reader_pages
from tests.pages.test_layout import _login

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary.split('\\n')[1])
})))).catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));
"""
# What the browser received for the page itself and the files it loaded (bytes on the wire,
# compressed where the server compressed them), and the first contentful paint.
WEIGHT = """
const nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource');
const paint = performance.getEntriesByName('first-contentful-paint')[0];
return {html: nav.encodedBodySize, html_decoded: nav.decodedBodySize,
        assets: res.reduce((s, r) => s + (r.encodedBodySize || 0), 0),
        fcp_ms: paint ? Math.round(paint.startTime) : null};
"""
BUDGET_BYTES = 100_000


def _visit_all(browser, base: str, pages: dict[str, str], axe: str, out: dict) -> list[str]:
    problems = []
    for width, height in (PHONE, LAPTOP):
        browser.set_window_size(width, height)
        for name, path in pages.items():
            browser.get(base + path)
            weight = browser.execute_script(WEIGHT)
            browser.execute_script(axe)
            violations = browser.execute_async_script(RUN_AXE)
            out.setdefault(name, {})[str(width)] = {"axe_violations": violations, **weight}
            for v in violations:
                problems.append(
                    f"{name} at {width}px: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}"
                )
    return problems


@pytest.mark.browser
def test_no_page_has_accessibility_violations(browser, live_server, seeded):
    axe = AXE.read_text(encoding="utf-8")
    assert hashlib.sha256(axe.encode()).hexdigest() == AXE_SHA256, "the vendored axe-core changed"
    browser.set_script_timeout(60)
    results: dict = {}
    try:
        problems = _visit_all(browser, live_server.url, reader_pages(), axe, results)
        _login(browser, live_server.url)
        problems += _visit_all(browser, live_server.url, editor_pages(), axe, results)
    finally:
        browser.delete_all_cookies()
        browser.set_window_size(1280, 1000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The figures of the last run, for a person to read.
        (SCREENSHOTS / "axe-and-budget.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    assert not problems, "\n".join(problems)


def _page_weight(client, path: str) -> tuple[int, int]:
    """(compressed HTML bytes, gzip bytes of every stylesheet and script the page links)."""
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    # 400: the page for a bad query; 410: a withdrawn report's tombstone
    assert response.status_code in (200, 400, 410), path
    assert response.get("Content-Encoding") == "gzip", f"{path} is sent uncompressed"
    html = gzip.decompress(response.content).decode()
    assets = 0
    for url in re.findall(
        r'<(?:link rel="stylesheet"|script)[^>]* (?:href|src)="/static/([^"]+)"', html
    ):
        found = finders.find(url)
        assert found, url
        assets += len(gzip.compress(Path(found).read_bytes()))
    return len(response.content), assets


def test_every_page_is_compressed_and_within_its_budget(client, seeded):
    from django.contrib.auth import get_user_model

    weights = {name: _page_weight(client, path) for name, path in reader_pages().items()}
    client.force_login(get_user_model().objects.get(username="editor"))
    weights |= {name: _page_weight(client, path) for name, path in editor_pages().items()}
    over = {n: w for n, w in weights.items() if sum(w) > BUDGET_BYTES}
    assert not over, over
    # The budget is for the page, not for a lucky small one: the biggest are report pages.
    assert max(sum(w) for w in weights.values()) > 10_000

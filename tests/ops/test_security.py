"""Security headers, the Content-Security-Policy, HTTPS behaviour, staff-only admin, and the
503 answers for a database or index outage."""

from __future__ import annotations

import json
import re

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from config.middleware import ServiceUnavailableMiddleware, is_index_error
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.django_db


def test_pages_carry_security_headers_and_a_strict_csp(client):
    response = client.get("/reports/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_settings_redirect_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    plain = client.get("/reports/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/reports/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    # the load balancer's probe over plain HTTP is not redirected
    assert client.get("/healthz").status_code != 301


def test_templates_have_no_inline_script_style_or_event_handlers():
    """The CSP forbids inline script and style: a template with one would break silently in
    browsers."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b[^>]*>", text, re.I):
            if "src=" not in m.group(0):
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text, re.I):
            offenders.append(f"{path.name}: on...= event handler")
        if re.search(r"javascript:", text, re.I):
            offenders.append(f"{path.name}: javascript: URL")
        if re.search(r"\sstyle\s*=", text, re.I):
            offenders.append(f"{path.name}: style attribute (style-src 'self' blocks it)")
    assert offenders == []


def test_admin_is_for_staff_only(client, django_user_model):
    assert client.get("/admin/").status_code == 302
    reader = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client.force_login(reader)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_database_outage_is_a_clear_503_not_a_500():
    middleware = ServiceUnavailableMiddleware(lambda r: None)
    request = RequestFactory().get("/reports/")
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert "数据库暂时不可用" in body and "temporarily unavailable" in body


def test_an_index_outage_is_a_clear_503_in_json_for_the_api(tmp_path):
    from whoosh import index

    try:
        index.open_dir(str(tmp_path))
    except Exception as e:
        exc = e
    assert is_index_error(exc)
    request = RequestFactory().get("/api/search", {"q": "x"})
    response = ServiceUnavailableMiddleware(lambda r: None).process_exception(request, exc)
    assert response.status_code == 503
    assert "搜索索引暂时不可用" in json.loads(response.content)["error"]


def test_other_errors_are_left_to_django():
    request = RequestFactory().get("/")
    assert (
        ServiceUnavailableMiddleware(lambda r: None).process_exception(request, KeyError("x"))
        is None
    )
    assert not is_index_error(ValueError("not from whoosh"))


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_a_damaged_recall_index_makes_search_a_clear_503(client, seed_bytes, damage):
    """The recall index (search.recall) unreadable, or absent because the index predates
    it: the search page and the API answer 503 with a message, not 500."""
    from archive.services import store_file
    from search import whoosh_engine
    from search.indexing import apply_pending, index_path
    from search.recall import FILENAME

    name = next(iter(seed_bytes))
    store_file(seed_bytes[name], name, publish=True)
    apply_pending()
    assert client.get("/search/", {"q": "发展"}).status_code == 200
    whoosh_engine.holder.reset()
    recall = index_path().resolve() / FILENAME
    for extra in recall.parent.glob(FILENAME + "-*"):
        extra.unlink()  # WAL and shared-memory files
    if damage == "garbage":
        recall.write_bytes(b"not a database at all" * 400)
    else:
        recall.unlink()
    page = client.get("/search/", {"q": "营商"})  # not a cached search
    assert page.status_code == 503
    assert "搜索索引暂时不可用" in page.content.decode()
    api = client.get("/api/search", {"q": "营商"})
    assert api.status_code == 503 and "搜索索引暂时不可用" in api.json()["error"]
    whoosh_engine.holder.reset()

"""Property-based fuzzing of everything a stranger can send: search queries, API parameters,
URL paths, the `hl` highlight parameter of report pages, and upload filenames.

Whatever comes in: no 500, no document text or query echoed unescaped into a page, no file
written outside MEDIA_ROOT. Case counts come from the Hypothesis profile (tests/ops/conftest.py):
"ci" in the suite, "long" for manual and `make bench` runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import Resolver404
from hypothesis import example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# Cases per test in the suite ("ci": about 1,500 per database run, under a minute on
# PostgreSQL); HYPOTHESIS_PROFILE=long runs ten times as many.
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1


def cases(n: int) -> settings:
    return settings(max_examples=n * SCALE)


SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
MARKUP = [SCRIPT, IMG, '"><svg/onload=alert(1)>', "<b>粗体</b>", "&lt;script&gt;", "'\"`"]
WORDS = [
    "营商环境",
    "棚户区改造",
    "新增就业",
    "地区生产总值",
    "一般公共预算收入",
    "天津市",
    "和平区",
    "2020",
    "AND",
    "OR",
    "NOT",
    "*",
    "?",
    '"',
    "(",
    ")",
    "~",
    "^2",
    "年",
    ":",
    "content:",
    "place:",
    "%",
    "\\",
    "\x00",
    "\u3000",
    "\ufeff",
    "\u202e",
]

# Text strategies: a mix of Chinese words, query syntax, markup and arbitrary unicode.
hostile_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(WORDS + MARKUP), max_size=8).map(" ".join),
    st.lists(st.sampled_from(WORDS + MARKUP), max_size=6).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(MARKUP),
)
param_value = st.one_of(
    hostile_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e9",
            "9999999999999999999999",
            "2020",
            "天津市",
            "天津市和平区",
            "null",
            "[]",
            "{}",
            "..",
            "/",
        ]
    ),
)
API_PARAMS = ["q", "place", "year", "year_from", "year_to", "page", "kind", "sort", "per_page"]


def assert_no_raw_markup(response, *needles: str) -> None:
    """In an HTML page, no hostile markup may appear as markup."""
    if "html" not in response.get("Content-Type", ""):
        return
    body = response.content.decode("utf-8", "replace")
    for needle in (SCRIPT, IMG, *needles):
        # Short needles like "<b" occur in any page's own markup; from 9 characters on, a
        # needle with markup in it found in the page means it went out unescaped.
        if "<" in needle and 9 <= len(needle.strip()) < 500:
            assert needle not in body, f"unescaped {needle!r} in the page"


@pytest.fixture
def hostile_report(db):
    """A published report whose own text contains markup and script."""
    from archive.services import store_file

    text = (
        "天津市和平区2020年政府工作报告\n\n一、2019年工作回顾\n\n"
        f"全区地区生产总值增长5%。{SCRIPT} 营商环境持续优化。{IMG}\n\n"
        "二、2020年主要目标\n\n城镇新增就业2万人。<b>粗体</b>\n"
    )
    outcome = store_file(text.encode(), "hostile.txt", publish=True)
    return outcome.report


@cases(150)
@given(
    q=hostile_text,
    page=param_value,
    url=st.sampled_from(["/", "/search/"]),
    view=st.sampled_from(["list", "grid", "", "<x>"]),
)
@example(q=SCRIPT, page="1", url="/", view="list")
@example(q="\x00", page="-1", url="/search/", view="")
@example(q=SCRIPT, page="1", url="/search/", view="grid")
def test_search_pages_never_fail_on_any_query(client, q, page, url, view):
    response = client.get(url, {"q": q, "page": page, "view": view})
    assert response.status_code < 500, (url, q, page)
    assert_no_raw_markup(response, q)


@cases(400)
@given(params=st.dictionaries(st.sampled_from(API_PARAMS), param_value, max_size=6))
@example(params={"q": "营商环境", "year_from": "2030", "year_to": "2000"})
@example(params={"q": "x", "page": "99999999999999999999"})
def test_search_api_answers_json_or_a_400_never_a_500(client, params):
    response = client.get("/api/search", params)
    assert response.status_code < 500, params
    if response.status_code in (200, 400) and response["Content-Type"].startswith(
        "application/json"
    ):
        json.loads(response.content)


path_segment = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "..",
            ".",
            "%2e%2e",
            "r",
            "v1",
            "p1",
            "reports",
            "api",
            "search",
            "sources",
            "admin",
            "static",
            "healthz",
            "upload",
            "places",
            "天津市",
            "tianjin-shi",
            "2020",
            "work-report",
            "../../etc/passwd",
            "%00",
            "%ff",
        ]
    ),
)


def answered_by_health_check(response) -> bool:
    try:
        return response.resolver_match.url_name == "healthz"
    except Resolver404:
        return False


@cases(700)
@given(
    segments=st.lists(path_segment, min_size=1, max_size=6),
    trailing=st.booleans(),
    query=st.one_of(st.just(""), hostile_text),
)
@example(segments=["r", "00000000", "v1", "p999999999999999999999"], trailing=True, query="")
@example(segments=["sources", "../../../etc/passwd"], trailing=True, query="")
@example(segments=["", "", "healthz"], trailing=False, query="")  # "///healthz": the health check
def test_random_urls_never_fail(client, segments, trailing, query):
    path = "/" + "/".join(quote(s, safe="%") for s in segments) + ("/" if trailing else "")
    response = client.get(path, {"hl": query} if query else {})
    # /healthz answers 503 by design here: the test run has no index yet. Django reaches it
    # from "//healthz" too, so the view that answered is asked, not the path.
    assert response.status_code < 500 or (
        response.status_code == 503 and answered_by_health_check(response)
    ), path
    assert_no_raw_markup(response)


@cases(100)
@given(hl=hostile_text)
@example(hl="script")
@example(hl="alert")
@example(hl="<")
@example(hl="营商环境 <script>")
def test_report_pages_escape_document_text_whatever_is_highlighted(client, hostile_report, hl):
    response = client.get(hostile_report.get_absolute_url(), {"hl": hl})
    assert response.status_code == 200
    assert_no_raw_markup(response, hl)
    body = response.content.decode()
    assert "&lt;script&gt;" in body or "&lt;" in body  # the document's markup is shown as text


filename_part = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "..",
            "../",
            "..\\",
            "/",
            "\\",
            "~",
            "/etc/passwd",
            "C:\\Windows\\",
            "\x00",
            "%2e%2e%2f",
            "报告",
            " ",
            ".",
            "CON",
            "NUL",
            "\u202e",
            "\n",
        ]
    ),
)


def multipart_upload(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand, so that the filename reaches Django's parser exactly as
    a hostile client would send it (the test client would clean it first)."""
    boundary = "----archivefuzzboundary7MA4YWxkTrZu0gW"
    header = (
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    )
    body = (
        f"--{boundary}\r\n".encode()
        + header.encode("utf-8", "surrogatepass")
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@cases(150)
@given(
    parts=st.lists(filename_part, min_size=1, max_size=5),
    suffix=st.sampled_from([".txt", ".html", ".htm", ".TXT", ".exe", "", ".txt.exe", ".docx"]),
    n=st.integers(min_value=0, max_value=10**9),
)
@example(parts=["../../../../tmp/escaped"], suffix=".txt", n=1)
@example(parts=["..", "..", "evil"], suffix=".txt", n=2)
@example(parts=["/"], suffix="", n=3)
def test_upload_filenames_never_write_outside_media_root(staff_client, settings, parts, suffix, n):
    media = Path(settings.MEDIA_ROOT).resolve()
    name = "/".join(parts) + suffix
    clean = name.replace("\x00", "")
    naive_target = (media / clean).resolve() if clean.strip() else media
    existed = naive_target.exists()
    content = f"天津市和平区{n % 30 + 1990}年政府工作报告\n\n城镇新增就业{n}人。{SCRIPT}\n".encode()
    try:
        body, content_type = multipart_upload(name, content)
    except UnicodeEncodeError:
        return  # not representable on the wire at all
    response = staff_client.generic("POST", "/upload/", body, content_type=content_type)
    assert response.status_code < 500, name
    assert_no_raw_markup(response, name)
    if not naive_target.is_relative_to(media) and not existed:
        assert not naive_target.exists(), f"{name!r} wrote {naive_target}"
    from archive.models import SourceFile

    for source in SourceFile.objects.all():
        assert Path(source.file.path).resolve().is_relative_to(media)


def test_a_path_trick_filename_is_stored_inside_media_root_under_its_last_part(
    staff_client, settings
):
    """The write path the fuzzing above exercises: the file is stored, but only by its hash."""
    from archive.models import SourceFile

    body, content_type = multipart_upload(
        "../../../../tmp/evil.txt",
        "天津市和平区2020年政府工作报告\n\n城镇新增就业2万人。\n".encode(),
    )
    response = staff_client.generic("POST", "/upload/", body, content_type=content_type)
    assert response.status_code == 302
    source = SourceFile.objects.get()
    assert source.original_name == "evil.txt"
    assert Path(source.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not Path("/tmp/evil.txt").exists()


def test_upload_fuzzing_wrote_nothing_outside_media_root_of_the_run(settings, tmp_path_factory):
    """After the whole module, nothing named like the fuzzed paths exists outside MEDIA_ROOT."""
    media = Path(settings.MEDIA_ROOT).resolve()
    for candidate in (
        media.parent / "escaped",
        Path("/tmp/escaped.txt"),
        media.parent / "evil.txt",
    ):
        assert not candidate.exists() or candidate.resolve().is_relative_to(media)
    assert os.access(media.parent, os.W_OK)


def test_the_trend_says_so_when_a_query_exceeds_its_term_budget(client):
    """Twenty one-character OR terms once ran the trend past gunicorn's timeout."""
    q = " OR ".join("发展改革创新开放绿色协调共享民生就业教育医疗住房交通环境安全文化科技人才"[:20])
    response = client.get("/search/trend/", {"q": q})
    assert response.status_code == 200
    assert 'data-budget="trend"' in response.content.decode()

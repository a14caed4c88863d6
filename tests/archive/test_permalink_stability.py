"""The permalink promise, tested the way a researcher relies on it.

Publish the seed reports, cite every link on each report page (short and readable links, the
version URL, every section and paragraph anchor and path, the citation box's URL), record the
sha256 of the text each one shows; then put the archive through what happens to archives —
an index rebuild, a re-import of the same files, a re-parse by a changed pipeline, a corrected
place and year, a withdrawal and restoration, a dump and load of the database — and after
each step check that every cited link still resolves and shows exactly the same text.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection

from archive import services
from archive.ingest.pipeline import parse_file
from archive.models import Place, PlaceLevel, Report, ReportStatus
from archive.services import add_version, correct_metadata, store_file
from archive.withdrawals import restore_report, withdraw_report

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"')
PNUM = re.compile(r'<a class="pnum"[^>]*>.*?</a>', re.S)
TAG = re.compile(r"<[^>]+>")
SKIP_PREFIXES = (
    "/static/",
    "/admin/",
    "/upload/",
    "/search",
    "/places/",
    "/sources/",
    "/permalinks.",
    "/api/",
)
STEP_SEEDS = ("001_46ac5d44bafe418d.txt", "003_d3a4d4b7c09b3dbf.txt")  # known and unknown place


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(fragment: str) -> str:
    return html.unescape(TAG.sub("", PNUM.sub("", fragment)))


def report_text_region(body: str) -> str:
    start = body.index('class="report-text"')
    start = body.index(">", start) + 1
    return body[start : body.index("</div>", start)]  # paragraphs hold no <div>


def shown_slice(body: str, anchor: str) -> str:
    """The text a link shows: a paragraph's words, a section's paragraphs up to the next
    section anchor, or the whole report text — as the reader sees them (tags stripped)."""
    region = report_text_region(body)
    if not anchor:
        return _plain(region)
    if re.fullmatch(r"p\d+", anchor):
        m = re.search(rf'<p id="{anchor}"[^>]*>(.*?)</p>', region, re.S)
        assert m, f"paragraph #{anchor} is on the page"
        return _plain(m.group(1))
    start = region.index(f'<span id="{anchor}"></span>')
    nxt = re.compile(r'<span id="s[0-9-]+"></span>').search(region, start + 1)
    return _plain(region[start : nxt.start() if nxt else len(region)])


@dataclass
class Cited:
    url: str  # as cited: path, optional ?query and #anchor
    sha256: str
    report: str  # public id


@dataclass
class Archive:
    reports: list[Report]
    data: dict[str, bytes]
    cited: list[Cited] = field(default_factory=list)


def cited_links(client, report: Report) -> list[str]:
    """Every link on the report page that cites this report, with relative anchors made
    absolute against the version the page shows."""
    page = report.get_absolute_url()
    body = client.get(page).content.decode()
    version_url = report.current_version.get_absolute_url()
    links = {page, report.get_short_url(), version_url}
    for raw in HREF.findall(body):
        href = html.unescape(raw)
        if href.startswith("#"):
            if re.fullmatch(r"#(p\d+|s\d+(-\d+)*)", href):
                links.add(version_url + href)
                links.add(
                    f"{version_url}{href[1:]}/"
                )  # the path form paragraph/section citations use
            continue
        if href.startswith("http://testserver"):
            href = href[len("http://testserver") :]
        if not href.startswith("/") or href.startswith(SKIP_PREFIXES) or "/cite/" in href:
            continue
        if f"/r/{report.public_id}/" in href or href == page:
            links.add(href)
    # The URL the citation box cites (short link with the version read).
    links.add(f"/r/{report.public_id}/?v={report.current_version.number}")
    links = {
        link
        for link in links
        if "/versions/" not in link
        and "/diff/" not in link
        and "/edit/" not in link
        and "/review/" not in link
    }
    return sorted(links)


class Pages:
    """One round of checks: each page fetched once, redirects followed by hand so that an
    #anchor a redirect adds survives as it would in a browser."""

    def __init__(self, client):
        self.client = client
        self.cache: dict[str, tuple[int, str, str]] = {}  # path -> (status, body, anchor)

    def get(self, path: str, hops: int = 0) -> tuple[int, str, str]:
        if path not in self.cache:
            response = self.client.get(path)
            if response.status_code in (301, 302) and hops < 5:
                target, anchor = urldefrag(response["Location"])
                status, body, later = self.get(target, hops + 1)
                self.cache[path] = (status, body, anchor or later)
            else:
                self.cache[path] = (response.status_code, response.content.decode(), "")
        return self.cache[path]

    def shown(self, url: str) -> tuple[int, str, str]:
        """(status, body, shown text) of a cited URL."""
        path, anchor = urldefrag(url)
        status, body, redirected_anchor = self.get(path)
        if status != 200:
            return status, body, ""
        return 200, body, shown_slice(body, redirected_anchor or anchor)


def cite_everything(client, archive: Archive) -> None:
    pages = Pages(client)
    for report in archive.reports:
        for url in cited_links(client, report):
            status, _, text = pages.shown(url)
            assert status == 200, url
            archive.cited.append(Cited(url, sha(text), report.public_id))
    kinds = {re.sub(r"\d+", "N", urlsplit(c.url).fragment) for c in archive.cited}
    assert {"pN", "sN"} <= kinds, "paragraph and section anchors were cited"
    assert any(re.search(r"/v\d+/p\d+/$", c.url) for c in archive.cited), "paragraph paths cited"


def assert_cited_links_show_the_same_text(client, archive: Archive) -> None:
    pages = Pages(client)
    for cited in archive.cited:
        status, body, text = pages.shown(cited.url)
        assert status == 200, cited.url
        if sha(text) == cited.sha256:
            continue
        # A version-less link whose report has a newer text: the page must say so and link
        # to the version cited, which shows the cited words.
        m = re.search(r'<a href="(/r/[0-9a-z]+/v\d+/)" data-keep-hash>', body)
        assert m and "data-cited-notice" in body, f"{cited.url}: text changed without notice"
        _, fragment = urldefrag(cited.url)
        _, _, old_text = pages.shown(m.group(1) + (f"#{fragment}" if fragment else ""))
        assert sha(old_text) == cited.sha256, cited.url


@pytest.fixture
def archive(client, seed_bytes) -> Archive:
    data = {name: seed_bytes[name] for name in STEP_SEEDS}
    reports = [store_file(b, name, publish=True).report for name, b in data.items()]
    arch = Archive(reports=reports, data=data)
    cite_everything(client, arch)
    return arch


# --- The steps --------------------------------------------------------------------------------


def step_rebuild_index(archive: Archive) -> None:
    call_command("rebuild_search_index", verbosity=0)


def step_reimport(archive: Archive) -> None:
    for name, data in archive.data.items():
        outcome = store_file(data, name, publish=True)
        assert not outcome.created
        assert outcome.report.pk in {r.pk for r in archive.reports}


def step_reparse(archive: Archive, monkeypatch) -> None:
    monkeypatch.setattr(services, "PIPELINE_VERSION", "test-reparse-9999")
    for report in archive.reports:
        report.refresh_from_db()
        source = report.current_version.source
        before = report.current_version.number
        version = add_version(report, source, parse_file(source.read_bytes(), source.original_name))
        assert version.number == before + 1 and version.pipeline_version == "test-reparse-9999"


def step_correct_place_and_year(archive: Archive) -> None:
    nation = Place.objects.filter(level=PlaceLevel.NATIONAL).first()
    province = Place.objects.create(
        name="测试省",
        full_name="测试省",
        level=PlaceLevel.PROVINCE,
        parent=nation,
        slug="ceshi-sheng",
    )
    for i, report in enumerate(archive.reports):
        report.refresh_from_db()
        place = Place.objects.create(
            name=f"测试{i}区",
            full_name=f"测试省测试{i}区",
            level=PlaceLevel.DISTRICT,
            parent=province,
            slug=f"ceshi{i}-qu",
        )
        old = report.get_absolute_url()
        correct_metadata(report, place=place, year=(report.year or 2000) + 1)
        report.refresh_from_db()
        assert report.get_absolute_url() != old


def step_withdraw_and_restore(archive: Archive, client, staff_user) -> None:
    for report in archive.reports:
        withdraw_report(report, user=staff_user, reason="测试撤回 stability test")
    pages = Pages(client)
    for cited in archive.cited:
        status, body, _ = pages.shown(cited.url)
        assert status == 410, cited.url
        assert "[EB/OL]" in body and "此报告已撤回" in body, cited.url
    for report in archive.reports:
        restore_report(report, user=staff_user, reason="测试恢复")


def step_dump_and_load(archive: Archive, tmp_path) -> None:
    dump = tmp_path / "archive.json"
    out = io.StringIO()
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        indent=0,
        stdout=out,
        exclude=["contenttypes", "auth.permission", "sessions", "admin.logentry"],
    )
    dump.write_text(out.getvalue(), encoding="utf-8")
    ids = sorted(Report.objects.values_list("public_id", flat=True))
    if connection.vendor == "postgresql":
        # Inside the test's transaction: PostgreSQL refuses to TRUNCATE tables with deferred
        # foreign-key checks still pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    assert not Report.objects.exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # reports and versions refer to each other
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("loaddata", str(dump), verbosity=0)
    assert sorted(Report.objects.values_list("public_id", flat=True)) == ids


STEPS = [
    "rebuild_index",
    "reimport",
    "reparse",
    "correct_place_and_year",
    "withdraw_and_restore",
    "dump_and_load",
]


def run_step(name: str, archive: Archive, *, client, monkeypatch, staff_user, tmp_path) -> None:
    if name == "rebuild_index":
        step_rebuild_index(archive)
    elif name == "reimport":
        step_reimport(archive)
    elif name == "reparse":
        step_reparse(archive, monkeypatch)
    elif name == "correct_place_and_year":
        step_correct_place_and_year(archive)
    elif name == "withdraw_and_restore":
        step_withdraw_and_restore(archive, client, staff_user)
    elif name == "dump_and_load":
        step_dump_and_load(archive, tmp_path)


@pytest.mark.parametrize("step", STEPS)
def test_cited_links_survive(step, client, archive, monkeypatch, staff_user, tmp_path):
    run_step(
        step,
        archive,
        client=client,
        monkeypatch=monkeypatch,
        staff_user=staff_user,
        tmp_path=tmp_path,
    )
    assert_cited_links_show_the_same_text(client, archive)


def test_cited_links_survive_every_step_in_turn(
    client, seed_bytes, monkeypatch, staff_user, tmp_path
):
    """All seeds, all steps one after another, the index rebuild included."""
    reports = [store_file(b, name, publish=True).report for name, b in seed_bytes.items()]
    arch = Archive(reports=reports, data=dict(seed_bytes))
    cite_everything(client, arch)
    assert len(arch.cited) > 100
    for step in STEPS:
        run_step(
            step,
            arch,
            client=client,
            monkeypatch=monkeypatch,
            staff_user=staff_user,
            tmp_path=tmp_path,
        )
        assert_cited_links_show_the_same_text(client, arch)


def test_an_older_versions_paragraph_link_lands_on_that_paragraph(client, archive, monkeypatch):
    report = archive.reports[0]
    para = report.current_version.paragraphs.order_by("number")[4]
    expected = sha(para.text)
    step_reparse(archive, monkeypatch)
    report.refresh_from_db()
    assert report.current_version.number == 2
    response = client.get(f"/r/{report.public_id}/v1/p{para.number}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/v1/#p{para.number}")
    status, _, text = Pages(client).shown(f"/r/{report.public_id}/v1/p{para.number}/")
    assert status == 200 and sha(text) == expected


def test_registry_hashes_match_what_each_link_shows(client, archive):
    """The published registry is the researcher's check: its sha256 for a paragraph equals
    the sha256 of the words the paragraph link shows, for every paragraph."""
    import csv

    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/permalinks.csv").streaming_content).decode())
        )
    )
    paragraphs = [r for r in rows if r["kind"] == "paragraph"]
    assert paragraphs
    pages = Pages(client)
    for row in paragraphs:
        _, _, text = pages.shown(row["url"].removeprefix("http://testserver"))
        assert sha(text) == row["sha256"], row["url"]
    for row in rows:
        path = urldefrag(row["url"].removeprefix("http://testserver"))[0]
        if row["status"] == "301":
            assert client.get(path).status_code == 301, row["url"]
        else:
            assert pages.get(path)[0] == int(row["status"]), row["url"]
    kinds = {r["kind"] for r in rows}
    assert {"report", "readable", "version", "section", "paragraph"} <= kinds


def test_a_withdrawn_report_keeps_every_permalink_as_a_tombstone(client, archive, staff_user):
    report = archive.reports[0]
    correct_metadata(report, year=2099)  # so that an old readable alias exists too
    withdraw_report(report, user=staff_user, reason="重复上传 duplicate")
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    urls = [c.url for c in archive.cited if c.report == report.public_id]
    urls += [
        report.get_absolute_url(),
        f"/r/{report.public_id}/versions/",
        f"/r/{report.public_id}/diff/1/1/",
    ]
    for url in urls:
        response = client.get(urldefrag(url)[0], follow=True)
        assert response.status_code == 410, url
        assert "重复上传" in response.content.decode()

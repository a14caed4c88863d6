"""Permalinks: every link on a report page resolves, and keeps resolving after the index is
rebuilt and after an editor corrects the metadata."""

import hashlib
import re

import pytest
from django.core.management import call_command
from django.test import Client

from archive.models import Report, ReportStatus
from archive.services import correct_metadata, store_file

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)(#[^"]*)?"')


@pytest.fixture
def hexi(seed_bytes):
    return store_file(
        seed_bytes["001_46ac5d44bafe418d.txt"], "001_46ac5d44bafe418d.txt", publish=True
    ).report


def page_links(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {m.group(1) for m in HREF.finditer(response.content.decode())}


def shown_text(client, url: str) -> str:
    """The report text as shown (tags stripped), to compare what a link shows over time."""
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    body = response.content.decode()
    body = body[body.index('class="report-text"') : body.index("</article>")]
    return hashlib.sha256(re.sub(r"<[^>]+>", "", body).encode()).hexdigest()


def test_every_link_on_a_report_page_resolves(client, hexi):
    links = page_links(client, hexi.get_absolute_url())
    assert hexi.get_short_url() in links
    assert hexi.current_version.get_absolute_url() in links
    for link in sorted(links):
        if link.startswith(("/admin/", "/upload/")):
            continue
        response = client.get(link, follow=True)
        assert response.status_code == 200, link


def test_sections_and_paragraphs_have_anchors(client, hexi):
    body = client.get(hexi.get_absolute_url()).content.decode()
    version = hexi.current_version
    for section in version.sections.all():
        assert f'id="{section.anchor}"' in body
    for paragraph in version.paragraphs.all():
        assert f'id="p{paragraph.number}"' in body
    assert version.sections.count() >= 6 and version.paragraphs.count() >= 20


def test_paragraph_short_url_redirects_to_its_anchor(client, hexi):
    response = client.get(f"/r/{hexi.public_id}/v1/p3/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/r/{hexi.public_id}/v1/#p3")


def test_links_survive_an_index_rebuild(client, hexi):
    cited = [hexi.get_absolute_url(), hexi.get_short_url(), hexi.current_version.get_absolute_url()]
    before = [shown_text(client, url) for url in cited]
    call_command("rebuild_search_index", verbosity=0)
    assert [shown_text(client, url) for url in cited] == before


def test_correcting_the_year_redirects_the_old_readable_link(client, hexi):
    old_readable = hexi.get_absolute_url()
    cited = [old_readable, hexi.get_short_url(), hexi.current_version.get_absolute_url()]
    before = [shown_text(client, url) for url in cited]
    correct_metadata(hexi, year=2017)
    hexi.refresh_from_db()
    assert hexi.get_absolute_url() != old_readable
    assert "/2017/" in hexi.get_absolute_url()
    response = client.get(old_readable)
    assert response.status_code == 301
    assert response["Location"] == hexi.get_absolute_url()
    assert [shown_text(client, url) for url in cited] == before


def test_a_corrected_place_keeps_every_earlier_path_redirecting(client, seed_bytes):
    masked = store_file(seed_bytes["003_d3a4d4b7c09b3dbf.txt"], "003.txt", publish=True).report
    first = masked.get_absolute_url()
    assert "/unknown-place/unknown-year/" in first
    correct_metadata(masked, year=2008)
    second = masked.get_absolute_url()
    correct_metadata(masked, year=2009)
    for old in (first, second):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == masked.get_absolute_url()


def test_unknown_metadata_is_shown_as_unknown(client, seed_bytes):
    masked = store_file(seed_bytes["003_d3a4d4b7c09b3dbf.txt"], "003.txt", publish=True).report
    body = client.get(masked.get_absolute_url()).content.decode()
    assert "原文未说明地区" in body and "原文未说明年份" in body


def test_drafts_are_not_public(staff_client, seed_bytes):
    client = Client()  # a reader, not logged in
    draft = store_file(seed_bytes["004_9a7de8e018f5043e.txt"], "004.txt").report
    assert draft.status == ReportStatus.DRAFT
    assert client.get(draft.get_short_url()).status_code == 404
    assert staff_client.get(draft.get_short_url()).status_code == 200


def test_a_withdrawn_report_answers_410_with_its_citation(client, hexi):
    Report.objects.filter(pk=hexi.pk).update(status=ReportStatus.WITHDRAWN)
    response = client.get(hexi.get_short_url())
    assert response.status_code == 410
    assert hexi.title in response.content.decode()


def test_the_original_downloads_byte_for_byte(client, hexi, seed_bytes):
    response = client.get(hexi.current_version.source.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == seed_bytes["001_46ac5d44bafe418d.txt"]


def test_unknown_links_are_404_not_500(client):
    for url in [
        "/r/zzzzzzzz/",
        "/r/zzzzzzzz/v1/",
        "/reports/no/such/path/",
        "/sources/" + "0" * 64 + "/",
        "/places/nowhere/",
        "/r/zzzzzzzz/v1/p1/",
    ]:
        assert client.get(url).status_code == 404, url


def test_highlight_terms_are_marked_and_document_text_is_escaped(client, seed_bytes):
    heping = store_file(seed_bytes["002_e1615011aa9b1423.txt"], "002.txt", publish=True).report
    body = client.get(heping.get_absolute_url() + "?hl=营商环境").content.decode()
    assert "<mark>营商环境</mark>" in body
    assert "&lt;span" in body and "<span改造" not in body


def test_the_list_of_reports_is_paged(client, seed_bytes, monkeypatch):
    from archive import views

    for name, data in seed_bytes.items():
        store_file(data, name, publish=True)
    monkeypatch.setattr(views, "REPORTS_PER_PAGE", 2)
    published = Report.objects.published().count()
    assert published >= 4
    seen: list[str] = []
    pages = -(-published // 2)
    for n in range(1, pages + 1):
        body = client.get("/reports/", {"page": n}).content.decode()
        links = re.findall(r'<a href="(/reports/[^"]+)">', body)
        assert len(links) == (2 if n < pages else published - 2 * (pages - 1))
        seen += links
        assert (f'?page={n + 1}"' in body) == (n < pages)
    assert len(set(seen)) == published  # every report once, none twice
    # a page past the end, or not a number, still answers with a page of reports
    assert client.get("/reports/", {"page": 999}).status_code == 200
    assert client.get("/reports/", {"page": "x'"}).status_code == 200

"""The editors' desk: drafts with their review pages and a Publish button, recent uploads,
warnings that a correction has not yet settled, and a log that reads "field: old → new"; every
metadata field the pipeline reads can be corrected."""

from __future__ import annotations

import re

import pytest

from archive.models import Report, ReportStatus
from archive.services import store_file
from tests.conftest import SEEDS_DIR
from tests.pages.conftest import CORPUS

pytestmark = pytest.mark.django_db
NO_PLACE = CORPUS / "national" / "national_000000_1985.txt"  # the text never says where


@pytest.fixture
def drafts():
    files = [NO_PLACE, SEEDS_DIR / "002_e1615011aa9b1423.txt"]
    return [store_file(p.read_bytes(), p.name).report for p in files]


def _section(html: str, title_id: str) -> str:
    return re.search(rf'<section aria-labelledby="{title_id}">(.*?)</section>', html, re.S).group(1)


def test_desk_is_for_staff_only(client, drafts):
    response = client.get("/desk/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_desk_lists_drafts_uploads_and_warnings(staff_client, drafts):
    html = staff_client.get("/desk/").content.decode()
    listed = _section(html, "drafts-title")
    for report in drafts:
        assert f"/r/{report.public_id}/review/" in listed
        assert f'action="/r/{report.public_id}/publish/"' in listed
    uploads = _section(html, "uploads-title")
    assert NO_PLACE.name in uploads and f"/r/{drafts[0].public_id}/review/" in uploads
    warnings = _section(html, "warnings-title")
    assert "文中没有写明地点" in warnings


def test_publish_from_the_desk(staff_client, drafts):
    report = drafts[1]
    response = staff_client.post(f"/r/{report.public_id}/publish/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert f"/r/{report.public_id}/publish/" not in _section(
        staff_client.get("/desk/").content.decode(), "drafts-title"
    )


def test_a_drafts_own_page_has_a_publish_button(staff_client, drafts):
    from django.test import Client

    page = staff_client.get(f"/r/{drafts[1].public_id}/").content.decode()
    assert f'action="/r/{drafts[1].public_id}/publish/"' in page
    assert Client().get(f"/r/{drafts[1].public_id}/").status_code == 404  # readers: no draft


def test_every_metadata_field_is_correctable_and_logged_readably(staff_client, drafts):
    report = drafts[1]
    before = Report.objects.get(pk=report.pk)
    form = {
        "title": before.title,
        "place": before.place.full_name if before.place else "",
        "year": before.year or "",
        "doc_type": before.doc_type,
        "delivered": "2016-01-12",
        "meeting": "天津市河西区第十六届人民代表大会第七次会议",
        "speaker": "某某",
        "publisher": "天津市河西区人民政府办公室",
    }
    response = staff_client.post(f"/r/{report.public_id}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert str(report.delivered) == "2016-01-12"
    assert report.meeting == form["meeting"] and report.speaker == "某某"
    assert report.publisher_label == "天津市河西区人民政府办公室"
    review = staff_client.get(f"/r/{report.public_id}/review/").content.decode()
    old_delivered = str(before.delivered) if before.delivered else "—"
    assert f"<li>作报告日期: {old_delivered} → 2016-01-12</li>" in review
    assert f"<li>发布者: {before.publisher or '—'} → 天津市河西区人民政府办公室</li>" in review
    assert "{&#x27;" not in review and "{'" not in review  # no raw Python dict
    desk = _section(staff_client.get("/desk/").content.decode(), "actions-title")
    assert "报告人: — → 某某" in desk
    bad = staff_client.post(f"/r/{report.public_id}/edit/", {**form, "delivered": "2016-13-40"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_a_warning_the_correction_settled_disappears(staff_client, drafts):
    report = drafts[0]
    review = staff_client.get(f"/r/{report.public_id}/review/").content.decode()
    assert "文中没有写明地点" in review
    response = staff_client.post(
        f"/r/{report.public_id}/edit/",
        {
            "title": report.title,
            "place": "中华人民共和国",
            "year": report.year or "",
            "doc_type": report.doc_type,
        },
    )
    assert response.status_code == 302
    review = staff_client.get(f"/r/{report.public_id}/review/").content.decode()
    assert "文中没有写明地点" not in review
    assert "地区: — → 中华人民共和国" in review
    assert "文中没有写明地点" not in _section(
        staff_client.get("/desk/").content.decode(), "warnings-title"
    )

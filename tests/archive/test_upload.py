"""Editors upload reports; anonymous visitors cannot; bad files change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from archive.models import Report, SourceFile

pytestmark = pytest.mark.django_db

HEXI = "001_46ac5d44bafe418d.txt"


def upload(client, name: str, data: bytes, publish: bool = True):
    form = {"files": [SimpleUploadedFile(name, data, content_type="text/plain")]}
    if publish:
        form["publish"] = "on"
    return client.post("/upload/", form)


def test_anonymous_visitors_cannot_upload(client, seed_bytes):
    response = upload(client, HEXI, seed_bytes[HEXI])
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/upload/").status_code == 302
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the index is updated when the upload commits
def test_an_upload_is_searchable_in_the_next_request(staff_client, seed_bytes):
    client = Client()  # a reader, not logged in
    response = upload(staff_client, HEXI, seed_bytes[HEXI])
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    found = client.get("/api/search", {"q": "首善之区"}).json()
    assert found["count"] >= 1
    assert all(report.public_id in r["report"] for r in found["results"])


def test_the_same_file_twice_makes_one_report(staff_client, seed_bytes):
    upload(staff_client, HEXI, seed_bytes[HEXI])
    response = upload(staff_client, "copy.txt", seed_bytes[HEXI])
    assert Report.objects.count() == 1
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "空"),
        ("evil.exe", b"MZ\x90\x00" * 100, "不支持"),
        ("../../etc/passwd.txt", b"\x00\x01\x02\xff" * 200, ""),
    ],
)
def test_bad_files_get_a_message_and_change_nothing(staff_client, name, data, message):
    response = upload(staff_client, name, data)
    assert response.status_code in (200, 302)
    page = staff_client.get(response["Location"]) if response.status_code == 302 else response
    assert message in page.content.decode()
    assert Report.objects.count() == 0 and SourceFile.objects.count() == 0


def test_editor_corrects_metadata_through_the_form(staff_client, seed_bytes):
    upload(staff_client, HEXI, seed_bytes[HEXI])
    report = Report.objects.get()
    old = report.get_absolute_url()
    response = staff_client.post(
        f"/r/{report.public_id}/edit/",
        {"title": report.title, "place": "天津市河西区", "year": "2015", "doc_type": "work_report"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.year == 2015
    assert staff_client.get(old).status_code == 301

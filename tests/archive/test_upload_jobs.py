"""Uploads are parsed in the background: the upload answers at once with a page showing each
file's progress; each file of a batch succeeds or fails on its own; a worker killed mid-parse
loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from archive.models import Report, SourceFile, UploadJob, UploadJobState
from archive.uploads import MAX_ATTEMPTS, claim_next, recover_interrupted

pytestmark = pytest.mark.django_db

HEXI = "001_46ac5d44bafe418d.txt"
NANKAI = "004_9a7de8e018f5043e.txt"


@pytest.fixture
def background(settings):
    """As deployed: the request only stages, the worker parses."""
    settings.ARCHIVE_UPLOAD_INLINE = False


def post(client, files: list[tuple[str, bytes]], publish: bool = False):
    data = {"files": [SimpleUploadedFile(n, b) for n, b in files]}
    if publish:
        data["publish"] = "on"
    return client.post("/upload/", data)


def staged_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "incoming"
    return [p for p in root.iterdir() if p.is_file()] if root.exists() else []


def test_a_batch_returns_at_once_and_each_file_gets_its_own_outcome(
    background, staff_client, seed_bytes
):
    response = post(
        staff_client,
        [
            (HEXI, seed_bytes[HEXI]),
            ("virus.exe", b"MZ\x90\x00" * 100),
            ("empty.txt", b""),
            ("binary.txt", bytes(range(256)) * 40),
            (NANKAI, seed_bytes[NANKAI]),
        ],
    )
    assert response.status_code == 302
    batch_url = response["Location"]
    assert batch_url.startswith("/upload/")
    # Nothing parsed yet: the request only staged the two good files (and the binary one,
    # which only the pipeline can judge).
    assert Report.objects.count() == 0 and len(staged_files()) == 3
    page = staff_client.get(batch_url).content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page
    assert "不支持的文件类型" in page and "文件为空" in page  # refused at once, each alone

    call_command("process_uploads", verbosity=0)

    jobs = {j.filename: j for j in UploadJob.objects.all()}
    assert jobs[HEXI].state == jobs[NANKAI].state == UploadJobState.DONE
    assert {jobs[n].state for n in ("virus.exe", "empty.txt", "binary.txt")} == {"failed"}
    assert Report.objects.count() == 2 and SourceFile.objects.count() == 2
    assert staged_files() == []  # the originals now live content-addressed under originals/
    page = staff_client.get(batch_url).content.decode()
    assert 'http-equiv="refresh"' not in page and "3 个失败" in page
    for name in (HEXI, NANKAI):
        assert f"/r/{jobs[name].report.public_id}/review/" in page


def test_a_published_upload_is_published_by_the_worker(background, staff_client, seed_bytes):
    post(staff_client, [(HEXI, seed_bytes[HEXI])], publish=True)
    call_command("process_uploads", verbosity=0)
    job = UploadJob.objects.get()
    assert job.report.status == "published"
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert job.report.get_absolute_url() in page


def test_a_file_over_the_limit_is_refused_alone(background, staff_client, seed_bytes, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 20_000
    post(staff_client, [(HEXI, seed_bytes[HEXI]), (NANKAI, seed_bytes[NANKAI])])
    call_command("process_uploads", verbosity=0)
    jobs = {j.filename: j for j in UploadJob.objects.all()}
    assert jobs[HEXI].state == "failed" and "文件过大" in jobs[HEXI].message  # 35 KB
    assert jobs[NANKAI].state == "done"  # 18 KB


def test_the_form_and_the_refusal_state_the_same_limit(staff_client, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    assert "不超过 50 MB" in staff_client.get("/upload/").content.decode()
    from archive.uploads import refusal_for

    assert "上限 50 MB" in refusal_for("a.txt", 50 * 1024 * 1024 + 1)
    assert refusal_for("a.txt", 50 * 1024 * 1024) is None


def test_a_worker_killed_mid_parse_loses_nothing(background, staff_client, seed_bytes):
    post(staff_client, [(HEXI, seed_bytes[HEXI])])
    job = claim_next()  # a worker took it ... and was killed before finishing
    assert job.state == UploadJobState.PARSING
    assert recover_interrupted() == 1  # the next worker start
    call_command("process_uploads", verbosity=0)
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 2


def test_a_file_that_keeps_killing_the_worker_fails_with_a_message(
    background, staff_client, seed_bytes
):
    post(staff_client, [(HEXI, seed_bytes[HEXI])])
    for _ in range(MAX_ATTEMPTS):
        recover_interrupted()
        assert claim_next() is not None
    recover_interrupted()
    job = UploadJob.objects.get()
    assert job.state == "failed" and "中断" in job.message


def test_only_editors_see_upload_progress(background, staff_client, seed_bytes):
    from django.test import Client

    response = post(staff_client, [(HEXI, seed_bytes[HEXI])])
    assert Client().get(response["Location"]).status_code == 302  # to the login page
    assert staff_client.get("/upload/no-such-batch/").status_code == 404


def test_a_check_reports_media_files_without_a_row(
    background, staff_client, seed_bytes, settings, tmp_path
):
    from archive.uploads import unaccounted_media

    # A media folder of its own: the shared one outlives each test's rolled-back database.
    settings.MEDIA_ROOT = tmp_path / "media"
    post(staff_client, [(HEXI, seed_bytes[HEXI])])
    call_command("process_uploads", verbosity=0)
    post(staff_client, [(NANKAI, seed_bytes[NANKAI])])  # staged, its job waiting: accounted for
    assert unaccounted_media() == {"originals": [], "staged": []}
    call_command("check_originals", verbosity=0)
    # A crash between writing the original and committing its row leaves a file like this.
    stray = Path(settings.MEDIA_ROOT) / "originals" / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left behind")
    (Path(settings.MEDIA_ROOT) / "incoming" / "orphan-0").write_bytes(b"x")
    found = unaccounted_media()
    assert found == {"originals": [f"originals/ab/ab{'0' * 62}"], "staged": ["incoming/orphan-0"]}
    with pytest.raises(SystemExit):
        call_command("check_originals", verbosity=0)
    assert stray.exists()  # reported, never deleted


def test_filing_a_draft_as_a_new_version_is_parsed_by_the_worker(
    background, staff_client, seed_bytes
):
    from archive.services import store_file

    original = store_file(seed_bytes[HEXI], HEXI, publish=True).report
    edited = seed_bytes[HEXI].replace("首善之区".encode(), "首善之城".encode(), 1)
    draft = store_file(edited, "hexi-2016-corrected.txt").report
    response = staff_client.post(f"/r/{draft.public_id}/merge/", {"target": original.public_id})
    # The request only queued the merge: nothing filed yet, the progress page says so.
    assert response.status_code == 302 and response["Location"].startswith("/upload/")
    assert original.versions.count() == 1 and Report.objects.filter(pk=draft.pk).exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page

    call_command("process_uploads", verbosity=0)
    original.refresh_from_db()
    assert original.current_version.number == 2 and "首善之城" in original.current_version.text
    assert not Report.objects.filter(pk=draft.pk).exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "已作为第 2 版归入" in page and original.public_id in page

    # The same request again (a double click): the draft is gone, the job says so, no error.
    again = staff_client.post(f"/r/{draft.public_id}/merge/", {"target": original.public_id})
    assert again.status_code == 404

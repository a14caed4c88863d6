"""The editors' workflow: review before publishing, the log, filing as a new version,
sidecar metadata on bulk import, re-parsing into new versions."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from archive.models import EditorialAction, Report, ReportStatus
from archive.services import store_file
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

HEXI = "001_46ac5d44bafe418d.txt"
MASKED = "003_d3a4d4b7c09b3dbf.txt"


@pytest.mark.django_db(transaction=True)  # the index is updated when the publish commits
def test_an_upload_is_a_draft_until_an_editor_publishes_it(staff_client, seed_bytes):
    client = Client()  # a reader, not logged in
    response = staff_client.post(
        "/upload/", {"files": [SimpleUploadedFile(HEXI, seed_bytes[HEXI])]}
    )
    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT
    assert response["Location"] == f"/r/{report.public_id}/review/"
    review = staff_client.get(response["Location"]).content.decode()
    assert "天津市河西区" in review and "2016" in review and "地区生产总值" in review
    assert client.get(report.get_short_url()).status_code == 404
    assert client.get("/api/search", {"q": "首善之区"}).json()["count"] == 0
    staff_client.post(f"/r/{report.public_id}/publish/")
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert client.get(report.get_short_url()).status_code == 200
    assert client.get("/api/search", {"q": "首善之区"}).json()["count"] >= 1
    verbs = list(report.actions.order_by("at", "pk").values_list("verb", "user__username"))
    assert verbs == [("upload", "editor"), ("publish", "editor")]


def test_corrections_are_logged_with_old_and_new_values(staff_client, seed_bytes):
    report = store_file(seed_bytes[HEXI], HEXI, publish=True).report
    staff_client.post(
        f"/r/{report.public_id}/edit/",
        {"title": report.title, "place": "天津市河西区", "year": "2015", "doc_type": "work_report"},
    )
    action = report.actions.get(verb=EditorialAction.Verb.CORRECT)
    assert action.changes == {"year": ["2016", "2015"]}
    assert action.user.username == "editor"


def test_the_place_field_settles_names_from_the_gazetteer(staff_client, seed_bytes):
    report = store_file(seed_bytes[MASKED], MASKED, publish=True).report
    url = f"/r/{report.public_id}/edit/"
    ambiguous = staff_client.post(
        url, {"title": "t", "place": "和平区", "year": "", "doc_type": "work_report"}
    )
    assert "辽宁省沈阳市和平区" in ambiguous.content.decode()
    staff_client.post(
        url,
        {"title": "t", "place": "广东省广州市越秀区", "year": "2008", "doc_type": "work_report"},
    )
    report.refresh_from_db()
    assert report.place.full_name == "广东省广州市越秀区" and report.place.code == "440104"


def test_a_draft_can_be_filed_as_a_new_version(staff_client, seed_bytes):
    original = store_file(seed_bytes[HEXI], HEXI, publish=True).report
    edited = seed_bytes[HEXI].replace("首善之区".encode(), "首善之城".encode(), 1)
    draft = store_file(edited, "hexi-2016-corrected.txt").report
    review = staff_client.get(f"/r/{draft.public_id}/review/").content.decode()
    assert original.public_id in review
    response = staff_client.post(f"/r/{draft.public_id}/merge/", {"target": original.public_id})
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.versions.count() == 2 and original.current_version.number == 2
    assert not Report.objects.filter(pk=draft.pk).exists()
    assert "首善之城" in original.current_version.text
    assert "首善之城" not in original.versions.get(number=1).text


def test_bulk_import_applies_a_sidecar(tmp_path):
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text(f"file,place,year\n{MASKED},广东省广州市越秀区,2008\n", encoding="utf-8")
    out = StringIO()
    call_command("import_reports", str(SEEDS_DIR), "--metadata", str(sidecar), stdout=out)
    assert "stored 5" in out.getvalue()
    masked = Report.objects.get(versions__source__original_name=MASKED)
    assert masked.place.full_name == "广东省广州市越秀区" and masked.year == 2008


def test_a_bad_sidecar_stops_before_anything_is_imported(tmp_path):
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text(f"file,place\n{MASKED},不存在的地方\n", encoding="utf-8")
    with pytest.raises(Exception, match="不存在的地方"):
        call_command(
            "import_reports", str(SEEDS_DIR), "--metadata", str(sidecar), stdout=StringIO()
        )
    assert Report.objects.count() == 0


def test_every_sidecar_column_overrides_what_was_read(tmp_path):
    sidecar = tmp_path / "meta.csv"
    long_title = "标题" * 200
    sidecar.write_text(
        f"file,place,year,doc_type,title\n{MASKED}, 广东省广州市越秀区 , 2008 ,news,{long_title}\n",
        encoding="utf-8",
    )
    call_command("import_reports", str(SEEDS_DIR), "--metadata", str(sidecar), stdout=StringIO())
    masked = Report.objects.get(versions__source__original_name=MASKED)
    assert masked.place.full_name == "广东省广州市越秀区" and masked.year == 2008
    assert masked.doc_type == "news" and masked.title == long_title[:300]


@pytest.mark.parametrize(
    "row, message",
    [
        (f"{MASKED},,1800,,", r"meta.csv:2: implausible year 1800"),
        (f"{MASKED},,去年,,", r"meta.csv:2: invalid literal"),
        (f"{MASKED},,,speech,", r"meta.csv:2: doc_type must be one of .*work_report"),
        (",,2008,,", r"meta.csv:2: the column 'file' is empty"),
    ],
)
def test_a_bad_sidecar_cell_is_named_by_its_line(tmp_path, row, message):
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text(f"file,place,year,doc_type,title\n{row}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command(
            "import_reports", str(SEEDS_DIR), "--metadata", str(sidecar), stdout=StringIO()
        )
    assert Report.objects.count() == 0


def test_reparse_makes_new_versions_and_keeps_corrections(seed_bytes, monkeypatch):
    from archive.management.commands import reparse_reports
    from archive.services import correct_metadata

    report = store_file(seed_bytes[HEXI], HEXI, publish=True).report
    correct_metadata(report, title="河西区2016年政府工作报告（更正）")
    out = StringIO()
    call_command("reparse_reports", stdout=out)
    assert "re-parsed 0, up to date 1" in out.getvalue()
    monkeypatch.setattr(reparse_reports, "PIPELINE_VERSION", "9999.1")
    call_command("reparse_reports", stdout=out)
    report.refresh_from_db()
    assert report.versions.count() == 2
    assert report.title == "河西区2016年政府工作报告（更正）"
    assert report.versions.get(number=1).text == report.versions.get(number=2).text
    assert report.actions.filter(verb="reparse").exists()


def test_place_suggestions_come_from_the_gazetteer(staff_client, client):
    names = [p["name"] for p in staff_client.get("/places.json", {"q": "和平区"}).json()["places"]]
    assert "天津市和平区" in names and "辽宁省沈阳市和平区" in names
    by_code = staff_client.get("/places.json", {"q": "120101"}).json()["places"]
    assert by_code[0] == {"name": "天津市和平区", "code": "120101"}
    assert staff_client.get("/places.json").json() == {"places": []}


def test_each_write_queues_exactly_one_index_change(seed_bytes):
    """An upload with "publish" is one write and one index change; publish, correct and a new
    version each add one more; publishing twice does nothing the second time."""
    from search.models import IndexChange

    name = "001_46ac5d44bafe418d.txt"
    report = store_file(seed_bytes[name], name, publish=True).report
    assert IndexChange.objects.filter(report=report).count() == 1
    assert EditorialAction.objects.filter(report=report, verb="publish").count() == 1

    from archive.services import correct_metadata, publish_report

    correct_metadata(report, year=2015)
    assert IndexChange.objects.filter(report=report).count() == 2
    assert publish_report(report) is False  # already public: nothing logged, nothing queued
    assert IndexChange.objects.filter(report=report).count() == 2

    draft = store_file(seed_bytes["004_9a7de8e018f5043e.txt"], "004.txt").report
    assert publish_report(draft) is True and draft.status == ReportStatus.PUBLISHED
    assert IndexChange.objects.filter(report=draft).count() == 2  # upload, publish


def test_a_correction_builds_on_the_row_as_it_is_now(seed_bytes):
    """Two editors correcting the same report from stale copies: the second correction is
    applied to the row the first one left (locked and read afresh), not to its own copy."""
    from archive.services import correct_metadata

    name = "001_46ac5d44bafe418d.txt"
    report = store_file(seed_bytes[name], name, publish=True).report
    stale_copy = Report.objects.get(pk=report.pk)
    correct_metadata(report, year=2015)
    correct_metadata(stale_copy, title="更正后的标题")
    report.refresh_from_db()
    assert report.year == 2015 and report.title == "更正后的标题"
    assert stale_copy.year == 2015  # the caller's instance shows what was saved

"""The explorer's table is kept by the writers: reading any explorer page or download writes
nothing, and after each kind of write (publish, new version, re-parse, metadata correction,
merge, withdrawal and restoration, a renamed place) the table holds exactly the commitments of
the current versions of the published reports."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import services, withdrawals
from archive.models import Commitment, Report, ReportStatus
from explorer.models import ExplorerRow
from tests.explorer.conftest import HAILAER, HAILAER_FILES

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def expected_rows() -> set[tuple]:
    """What the table must hold, computed from the archive's own tables."""
    out = set()
    for r in Report.objects.filter(status=ReportStatus.PUBLISHED).select_related("place"):
        for c in Commitment.objects.filter(version_id=r.current_version_id):
            out.add(
                (
                    c.pk,
                    r.pk,
                    r.place_id,
                    r.place.full_name if r.place else "",
                    r.year,
                    c.indicator,
                    c.kind,
                    c.qualifier,
                    c.unit,
                    c.value,
                )
            )
    return out


def table_rows() -> set[tuple]:
    return set(
        ExplorerRow.objects.values_list(
            "commitment_id",
            "report_id",
            "place_id",
            "place_name",
            "year",
            "indicator",
            "kind",
            "qualifier",
            "unit",
            "value",
        )
    )


def assert_table_current() -> None:
    want, have = expected_rows(), table_rows()
    assert want == have, (len(want - have), len(have - want))


def explorer_urls(report: Report, commitment_id: int) -> list[str]:
    place = report.place
    q = f"?place={HAILAER}"
    return [
        reverse("explorer:commitments"),
        reverse("explorer:commitments") + q + "&sort=-value",
        reverse("explorer:commitments_csv") + q,
        reverse("explorer:commitments_json") + q,
        reverse("explorer:commitments_panel", args=["dta"]) + q,
        reverse("explorer:commitments_panel", args=["parquet"]) + q,
        reverse("explorer:pivot") + "?indicator=地区生产总值",
        reverse("explorer:pivot_csv") + "?indicator=地区生产总值",
        reverse("explorer:pivot_panel", args=["dta"]) + "?indicator=地区生产总值",
        reverse("explorer:pivot_panel", args=["parquet"]) + "?indicator=地区生产总值",
        reverse("explorer:methods"),
        reverse("explorer:codebook"),
        reverse("explorer:indicators"),
        reverse("explorer:track_record", args=[place.slug_path]),
        reverse("explorer:correct", args=[commitment_id]),
    ]


def test_reading_the_explorer_writes_nothing(hailaer, staff_client):
    report = hailaer[2016]
    commitment = Commitment.objects.filter(version_id=report.current_version_id).first()
    for url in explorer_urls(report, commitment.pk):
        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        writes = [
            q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
        ]
        assert not writes, (url, writes[:3])


def test_the_table_follows_every_kind_of_write(hailaer, staff_user):
    assert ExplorerRow.objects.exists()
    assert_table_current()  # after import_reports' publishes

    # a metadata correction: year and place move every row of the report
    report = hailaer[2014]
    services.correct_metadata(report, user=staff_user, year=2015)
    assert set(ExplorerRow.objects.filter(report=report).values_list("year", flat=True)) == {2015}
    assert_table_current()

    # a new version: the rows point at the new version's commitments
    report = hailaer[2012]
    old_ids = set(ExplorerRow.objects.filter(report=report).values_list("commitment_id", flat=True))
    data = HAILAER_FILES[0].read_bytes() + "\n全年地区生产总值增长百分之九。\n".encode("gb18030")
    outcome = services.store_file(data, "hailaer_2012_v2.txt", report=report)
    assert outcome.created and outcome.version.number == 2
    new_ids = set(ExplorerRow.objects.filter(report=report).values_list("commitment_id", flat=True))
    assert new_ids and not new_ids & old_ids
    assert_table_current()

    # a re-parse (the command every pipeline upgrade runs)
    call_command("reparse_reports", report.public_id, "--force", verbosity=0)
    report.refresh_from_db()
    assert report.current_version.number == 3
    assert set(
        ExplorerRow.objects.filter(report=report).values_list("commitment_id", flat=True)
    ) == set(
        Commitment.objects.filter(version_id=report.current_version_id).values_list("pk", flat=True)
    )
    assert_table_current()

    # a draft is not public: no rows until it is merged into a published report
    target = hailaer[2013]
    data = HAILAER_FILES[1].read_bytes() + "\n城镇新增就业3000人。\n".encode("gb18030")
    draft = services.store_file(data, "hailaer_2013_draft.txt").report
    assert draft.status == ReportStatus.DRAFT
    assert not ExplorerRow.objects.filter(report=draft).exists()
    services.merge_draft_into(draft, target, user=staff_user)
    assert ExplorerRow.objects.filter(report=target, indicator="城镇新增就业", value=3000).exists()
    assert_table_current()

    # withdrawal and restoration
    report = hailaer[2018]
    withdrawals.withdraw_report(report, user=staff_user, reason="测试 test")
    assert not ExplorerRow.objects.filter(report=report).exists()
    assert_table_current()
    withdrawals.restore_report(report, user=staff_user)
    assert ExplorerRow.objects.filter(report=report).exists()
    assert_table_current()

    # a renamed place
    place = report.place
    place.full_name = place.full_name.replace("海拉尔区", "海拉尔区（更名）")
    place.save()
    assert set(ExplorerRow.objects.filter(place=place).values_list("place_name", flat=True)) == {
        place.full_name
    }
    assert_table_current()

"""Keeping the explorer's table (ExplorerRow) current on the write path.

Every write that changes what a report contributes to the explorer saves the Report row inside
its transaction: a new version moves `current_version`, publication and withdrawal move
`status`, an editor's correction moves place or year, and a merge saves its target. So a
post_save receiver on Report refreshes that report's rows in the same transaction: a reader
either sees the old report and its old rows or the new report and its new rows, and no page
ever has to bring the table up to date (a GET never writes). Renaming a place saves the Place,
whose receiver rewrites the copied name. Deleting a report or commitment cascades.

The archive never imports this module; the explorer listens to the archive's own saves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver

from archive.models import Commitment, Place, Report, ReportStatus
from explorer.models import ExplorerRow

BATCH = 500


def refresh_reports(report_ids: Iterable[int]) -> None:
    """Replace the rows of these reports with their current, published commitments."""
    ids = sorted(set(report_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        ExplorerRow.objects.filter(report_id__in=chunk).delete()
        _insert_rows(chunk)


def rebuild_all() -> int:
    """Every row again from the reports (a fresh or repaired database); returns the count."""
    ExplorerRow.objects.all().delete()
    refresh_reports(Report.objects.values_list("pk", flat=True))
    return ExplorerRow.objects.count()


def _insert_rows(report_ids: list[int]) -> None:
    # One INSERT ... SELECT per batch: the commitments never travel through Python.
    if not report_ids:
        return
    row, c, r, p = (m._meta.db_table for m in (ExplorerRow, Commitment, Report, Place))
    marks = ", ".join(["%s"] * len(report_ids))
    sql = (
        f"INSERT INTO {row} (commitment_id, report_id, place_id, place_name, year, indicator, "
        f"kind, qualifier, unit, value) "
        f"SELECT c.id, r.id, r.place_id, COALESCE(p.full_name, ''), r.year, c.indicator, c.kind, "
        f"c.qualifier, c.unit, c.value FROM {c} c JOIN {r} r ON r.current_version_id = c.version_id "
        f"LEFT JOIN {p} p ON p.id = r.place_id "
        f"WHERE r.status = %s AND r.id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ReportStatus.PUBLISHED, *report_ids])


@receiver(post_save, sender=Report, dispatch_uid="explorer-rows-report")
def report_saved(sender, instance: Report, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: fixtures bring their own rows
        return
    refresh_reports([instance.pk])


@receiver(post_save, sender=Place, dispatch_uid="explorer-rows-place")
def place_saved(
    sender, instance: Place, created: bool = False, raw: bool = False, **kwargs
) -> None:
    if raw or created:
        return
    # A renamed place renames its descendants' full names too (each saved on its own), so
    # only this place's rows are rewritten here.
    ExplorerRow.objects.filter(place_id=instance.pk).exclude(place_name=instance.full_name).update(
        place_name=instance.full_name
    )

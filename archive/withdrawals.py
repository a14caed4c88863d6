"""Withdrawing a published report and restoring it.

A withdrawn report keeps every permalink: they answer 410 with a tombstone carrying the
report's citation (archive.views._render_version), never 404. Each act is logged with who,
when and why (EditorialAction), and the search index is told to drop or re-add the report.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from archive.models import EditorialAction, Report, ReportStatus
from archive.services import log_action
from archive.signals import announce_change


class WithdrawalError(ValueError):
    """The report is not in a state the act applies to (e.g. withdrawing a draft)."""


def withdraw_report(report: Report, *, user=None, reason: str) -> EditorialAction:
    reason = reason.strip()
    if not reason:
        raise WithdrawalError("撤回须说明原因 (a withdrawal needs a reason)")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.PUBLISHED:
            raise WithdrawalError(
                f"只能撤回已发布的报告 (only a published report can be withdrawn; "
                f"this one is {report.status})"
            )
        report.status = ReportStatus.WITHDRAWN
        report.withdrawn_at = timezone.now()
        report.withdrawal_reason = reason
        report.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
        action = log_action(
            report,
            EditorialAction.Verb.WITHDRAW,
            user=user,
            changes={"status": [ReportStatus.PUBLISHED, ReportStatus.WITHDRAWN]},
            note=reason,
        )
        announce_change(report)
    return action


def restore_report(report: Report, *, user=None, reason: str = "") -> EditorialAction:
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.WITHDRAWN:
            raise WithdrawalError(
                f"只能恢复已撤回的报告 (only a withdrawn report can be restored; "
                f"this one is {report.status})"
            )
        report.status = ReportStatus.PUBLISHED
        report.withdrawn_at = None
        report.withdrawal_reason = ""
        report.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
        action = log_action(
            report,
            EditorialAction.Verb.RESTORE,
            user=user,
            changes={"status": [ReportStatus.WITHDRAWN, ReportStatus.PUBLISHED]},
            note=reason.strip(),
        )
        announce_change(report)
    return action

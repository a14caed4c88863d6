"""The index outbox across the layers: the archive announces each edit (archive.signals), the
search app's receiver writes the IndexChange row, and the row commits or rolls back with the
edit. Without the receiver an edit would commit and never become searchable."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from archive.models import Report, ReportStatus
from archive.services import correct_metadata, publish_report, store_file
from archive.signals import report_changed
from archive.withdrawals import restore_report, withdraw_report
from search.indexing import enqueue_changed_report
from search.models import IndexChange

pytestmark = pytest.mark.django_db

HEXI = "001_46ac5d44bafe418d.txt"


def rows(report: Report) -> int:
    return IndexChange.objects.filter(report=report).count()


@pytest.fixture
def draft(seed_bytes) -> Report:
    return store_file(seed_bytes[HEXI], HEXI).report


def test_the_search_app_listens_for_report_changes():
    connected = [ref() for _key, ref, *_ in report_changed.receivers]
    assert enqueue_changed_report in connected


def test_every_edit_writes_its_change_row_inside_its_own_transaction(draft):
    """Upload, publish, correct, withdraw, restore: one row each, already there before the
    outer transaction commits (written by the receiver, synchronously)."""
    assert rows(draft) == 1
    with transaction.atomic():
        publish_report(draft)
        assert rows(draft) == 2
        correct_metadata(draft, year=2015)
        assert rows(draft) == 3
        withdraw_report(draft, reason="重复收录")
        assert rows(draft) == 4
        restore_report(draft)
        assert rows(draft) == 5


def test_a_rolled_back_edit_writes_no_change_row(draft):
    year = draft.year

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        correct_metadata(draft, year=1999)
        assert rows(draft) == 2
        raise Abandon

    assert rows(draft) == 1
    assert Report.objects.get(pk=draft.pk).year == year


def test_an_edit_nobody_would_index_is_refused_and_changes_nothing(draft):
    disconnected = report_changed.disconnect(dispatch_uid="search.index_outbox")
    assert disconnected
    try:
        with pytest.raises(ImproperlyConfigured, match="检索索引"):
            publish_report(draft)
    finally:
        report_changed.connect(enqueue_changed_report, dispatch_uid="search.index_outbox")
    assert Report.objects.get(pk=draft.pk).status == ReportStatus.DRAFT
    assert rows(draft) == 1


def test_a_failing_receiver_rolls_the_edit_back(draft):
    """The signal is sent, not sent robustly: an error after the row was written undoes both
    the row and the edit, rather than committing an edit the index never hears of."""

    def broken(sender, **kwargs):
        raise RuntimeError("receiver failed")

    report_changed.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            correct_metadata(draft, year=1999)
    finally:
        report_changed.disconnect(dispatch_uid="test.broken")
    assert Report.objects.get(pk=draft.pk).year != 1999
    assert rows(draft) == 1

"""What the archive tells the layers above it: that a report changed.

The search index is kept in step through a transactional outbox: every edit of a report
writes an `IndexChange` row (search.models) in the edit's own transaction, so the edit and
the promise to index it commit or roll back together. The archive may not import the search
layer, so it announces the change with `report_changed` and the search app's receiver
(connected in `SearchConfig.ready()`) writes the row.

Why a signal and not the outbox model moved into `archive`: the row alone is not the whole
job. After commit the writer is asked to apply the change at once (so an upload is
searchable in the next request), and that hook belongs to the search layer too; moving the
model would still leave that call going up. Django sends a signal synchronously, in the
sender's thread and transaction, so the receiver's row is part of the edit exactly as a
direct call was: the durable record is still the row, never the signal.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

# Sent with `report=` inside the transaction that changes the report (a new version, a
# publish, a correction, a withdrawal or a restore). Receivers run in that transaction; an
# exception in one rolls the edit back.
report_changed = Signal()


def announce_change(report) -> None:
    """Tell the layers above that `report` changed (call inside the editing transaction).

    `send`, not `send_robust`: a receiver that fails must fail the edit, or the edit would
    commit without its index row and never be searchable. An edit with nobody listening is
    refused for the same reason: it would be a write the index silently loses."""
    if not report_changed.has_listeners():
        raise ImproperlyConfigured(
            "报告的修改无人接收，检索索引将无法更新 (report_changed has no receiver: is the "
            "search app in INSTALLED_APPS?)"
        )
    report_changed.send(sender=type(report), report=report)

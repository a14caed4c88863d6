"""Keeping the search index in step with the database, through one writer at a time.

Web workers and commands never write to the index directly: they call `enqueue_report()`
inside the transaction that changes a report, and `apply_pending()` (after commit, and from
the `apply_index_queue` command) applies the queue under an exclusive file lock.
"""

from __future__ import annotations

from search.models import IndexChange


def enqueue_report(report) -> None:
    """Record that `report`'s index entries must be brought up to date (call inside the
    transaction that changes it)."""
    IndexChange.objects.create(report=report)

"""The index queue: changes to be applied to the search index by its single writer."""

from django.db import models
from django.utils import timezone


class IndexChange(models.Model):
    """A request to bring one report's entries in the index up to date: written in the same
    transaction as the change to the report, applied (and marked) by search.indexing's single
    writer."""

    report = models.ForeignKey("archive.Report", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    # A failed attempt is recorded on the rows it was applying, so that /healthz can say why
    # a change is late and the writer can back off without forgetting anything.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["applied_at"], name="indexchange_pending")]

    def __str__(self) -> str:
        state = "applied" if self.applied_at else "pending"
        return f"index report {self.report_id} ({state})"

"""The commitments explorer's data: the indicator vocabulary editors extend, editors'
corrections of what the pipeline read, and the explorer's own table of current commitments.

These sit above the archive: they refer to its reports and commitments, and the archive never
refers to them. The tables were created by the archive app and moved here with their data
(migrations 0008 of archive and 0001-0002 of this app).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from archive.models import (
    Commitment,
    CommitmentDirection,
    CommitmentKind,
    CommitmentPeriod,
    Place,
    Report,
)


class UnitFamily(models.TextChoices):
    PERCENT = "percent", "百分比 percent"
    MONEY = "money", "金额 money"
    PEOPLE = "people", "人数 people"
    COUNT = "count", "个数 count"
    AREA = "area", "面积 area"
    MASS = "mass", "重量 mass"
    LENGTH = "length", "长度 length"
    POWER = "power", "功率 power"
    ENERGY = "energy", "能量 energy"
    VOLUME = "volume", "体积 volume"
    CONTAINERS = "containers", "集装箱 containers"
    CLOTH = "cloth", "布匹 cloth"
    CONCENTRATION = "concentration", "浓度 concentration"
    AGE = "age", "年龄 age"
    DAYS = "days", "天数 days"
    HOURS = "hours", "小时 hours"


class Indicator(models.Model):
    """One indicator of the curated vocabulary: the name commitments are filed under, the
    ways reports write it, and what a level of it is measured in. Loaded from
    archive/ingest/data/indicators.json by `load_indicators`; editors extend it in the admin."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="ASCII (pinyin) name used in the vocabulary page's anchors",
    )
    synonyms = models.JSONField(
        default=list, blank=True, help_text='other ways reports write it, e.g. ["GDP", "经济增长"]'
    )
    unit_family = models.CharField(max_length=16, choices=UnitFamily.choices)
    higher_is_better = models.BooleanField(
        null=True, blank=True, help_text="empty: no direction (neither more nor less is better)"
    )
    family = models.CharField(
        max_length=30,
        blank=True,
        help_text="topic the vocabulary page groups by (economy, industry, environment …)",
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('explorer:indicators')}#{self.slug}"

    @property
    def all_names(self) -> list[str]:
        return [self.name, *self.synonyms]


class CommitmentCorrection(models.Model):
    """An editor's correction of one number the pipeline read, kept apart from the immutable
    versions. It is keyed by what survives a re-parse of the same report: the report, the
    normalised text of the sentence and the number as written in it (see explorer.rules
    `correction_key`), so it applies to the matching commitment of every version. Rows are
    never edited: a later correction of the same key supersedes an earlier one."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="commitment_corrections"
    )
    sentence_key = models.CharField(max_length=64, help_text="sha256 of the normalised sentence")
    number_text = models.CharField(max_length=60, help_text="the number as written, e.g. 21%")
    original = models.JSONField(default=dict, help_text="what the pipeline read, for the record")
    indicator = models.CharField(max_length=100, blank=True)
    value = models.FloatField(null=True, blank=True)
    value_max = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    qualifier = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=12, choices=CommitmentKind.choices, blank=True)
    direction = models.CharField(max_length=8, choices=CommitmentDirection.choices, blank=True)
    period = models.CharField(max_length=20, choices=CommitmentPeriod.choices, blank=True)
    horizon = models.PositiveSmallIntegerField(null=True, blank=True)
    scope = models.CharField(max_length=100, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    marked_wrong = models.BooleanField(
        default=False, help_text="not a commitment at all: hide it from tables"
    )
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "sentence_key", "number_text", "-at", "-pk"]
        indexes = [
            models.Index(fields=["report", "sentence_key", "number_text"], name="correction_key")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value__isnull=False),
                name="correction_range_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report.public_id} {self.number_text} ({self.at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("explorer:commitments") + f"?report={self.report.public_id}"


class ExplorerRow(models.Model):
    """One commitment of the current version of a published report, with the report's place
    and year copied beside it so that the explorer's table and pivot filter and sort on one
    indexed table (a join over hundreds of thousands of rows cannot be sorted fast). Derived
    data, never edited by hand: every write that changes a report (publication, new version,
    correction, merge, withdrawal) or renames a place refreshes its rows in the same
    transaction (explorer.rows), so reading the explorer never writes."""

    commitment = models.OneToOneField(
        Commitment, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, null=True, on_delete=models.CASCADE, related_name="+")
    place_name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(null=True)
    indicator = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=CommitmentKind.choices)
    qualifier = models.CharField(max_length=30)
    unit = models.CharField(max_length=30)
    value = models.FloatField()

    class Meta:
        ordering = ["year", "place_name", "commitment"]
        indexes = [
            models.Index(fields=["year", "place_name", "commitment"], name="exrow_year_place"),
            models.Index(fields=["place_name", "year", "commitment"], name="exrow_place_year"),
            # covers the pivot and the usual filters (indicator, kind, place, measure,
            # qualifier, years) without touching the table
            models.Index(
                fields=["indicator", "kind", "place", "unit", "qualifier", "year"],
                name="exrow_indicator",
            ),
            models.Index(fields=["indicator", "value"], name="exrow_indicator_value"),
            models.Index(fields=["place", "year"], name="exrow_place_id_year"),
        ]

    def __str__(self) -> str:
        return f"{self.place_name} {self.year} {self.indicator}"

    def get_absolute_url(self) -> str:
        return reverse("explorer:commitments") + f"?report={self.report.public_id}"

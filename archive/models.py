"""The archive's data: places, source files, reports and their immutable versions.

A SourceFile is the uploaded original, kept byte for byte. A ReportVersion is one parse of one
SourceFile by one pipeline version and never changes once written; sections, paragraphs and
commitments hang off it. A Report is the logical document readers cite: its metadata can be
corrected by editors, and its `current_version` moves forward, but its public id never changes
and every version stays reachable.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from archive.ingest.years import FIRST_YEAR, LAST_YEAR

# Crockford's base32 without look-alikes: short ids that survive being read aloud or retyped.
PUBLIC_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PUBLIC_ID_LENGTH = 8
# What a public id may look like in a URL, a form or the database (older ids were 6 to 16
# characters of [0-9a-z]; new ones are PUBLIC_ID_LENGTH of the alphabet above).
PUBLIC_ID_PATTERN = r"[0-9a-z]{6,16}"


def new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class PlaceLevel(models.TextChoices):
    NATIONAL = "national", "全国 national"
    PROVINCE = "province", "省级 province"
    CITY = "city", "市级 city"
    DISTRICT = "district", "区县 district"


class DocType(models.TextChoices):
    WORK_REPORT = "work_report", "政府工作报告 work report"
    EXCERPT = "work_report_excerpt", "报告节选 excerpt"
    TARGETS = "targets", "目标任务 targets"
    NEWS = "news", "新闻报道 news summary"
    OTHER = "other", "其他 other"


class SectionKind(models.TextChoices):
    REVIEW = "review", "回顾 review"
    PLAN = "plan", "部署 plan"
    TARGETS = "targets", "目标 targets"
    PROBLEMS = "problems", "问题 problems"
    GLOSSARY = "glossary", "附注 glossary"
    OTHER = "other", "其他 other"


class CommitmentKind(models.TextChoices):
    TARGET = "target", "目标 target"
    ACHIEVEMENT = "achievement", "完成 achievement"


class CommitmentDirection(models.TextChoices):
    UP = "up", "增 up"
    DOWN = "down", "降 down"
    LEVEL = "level", "水平 level"


class CommitmentPeriod(models.TextChoices):
    YEAR = "year", "当年 year"
    MULTI_YEAR_AVERAGE = "multi_year_average", "年均 multi-year average"
    CUMULATIVE = "cumulative", "累计 cumulative"
    BY_YEAR = "by_year", "到某年 by year"


class PlaceQuerySet(models.QuerySet):
    def under(self, place: Place) -> PlaceQuerySet:
        """The place itself and every place below it."""
        return self.filter(Q(pk=place.pk) | Q(full_name__startswith=place.full_name))

    def by_slug_path(self, path: str) -> Place | None:
        """The place whose URL path is `path` ("tianjin-shi/heping-qu"), or None (a path it
        had before a correction is a PlaceAlias: see Place.objects.by_old_path)."""
        return next(
            (p for p in self.filter(slug=path.rsplit("/", 1)[-1]) if p.slug_path == path), None
        )

    def by_old_path(self, path: str) -> Place | None:
        """The place that once answered at `path` and has moved since."""
        alias = PlaceAlias.objects.select_related("place").filter(path=path).first()
        return alias.place if alias else None


class Place(models.Model):
    """An administrative division; full_name spells the whole chain from the top."""

    name = models.CharField(max_length=64)
    full_name = models.CharField(max_length=200, unique=True)
    level = models.CharField(max_length=16, choices=PlaceLevel.choices)
    code = models.CharField("GB/T 2260", max_length=12, null=True, blank=True, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    slug = models.SlugField(max_length=80, help_text="ASCII (pinyin) name used in readable URLs")

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="place_unique_slug_in_parent"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("archive:place", args=[self.slug_path])

    @property
    def slug_path(self) -> str:
        """The place's URL path, top down; the nation says nothing in a place's URL."""
        chain = [*self.ancestors(), self]
        parts = [p.slug for p in chain if p.level != PlaceLevel.NATIONAL]
        return "/".join(parts) or self.slug

    def ancestors(self) -> list[Place]:
        chain, place = [], self.parent
        while place is not None:
            chain.append(place)
            place = place.parent
        return list(reversed(chain))


def source_upload_path(instance: SourceFile, filename: str) -> str:
    # Content-addressed: the name is the hash, so a file can never be overwritten by another.
    return f"originals/{instance.sha256[:2]}/{instance.sha256}"


class SourceFile(models.Model):
    """An uploaded original, byte for byte. Never changed, never deleted."""

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=source_upload_path, max_length=200)
    original_name = models.CharField(max_length=255)
    media_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    encoding = models.CharField(max_length=40, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the copy itself says about where it came from (site chrome turned into metadata).
    source_url = models.URLField(max_length=500, blank=True)
    source_publisher = models.CharField(max_length=200, blank=True)
    source_published = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="sourcefile_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    def get_absolute_url(self) -> str:
        return reverse("archive:source_download", args=[self.sha256])

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as f:
            return f.read()

    @staticmethod
    def hash_bytes(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "待审 draft"
    PUBLISHED = "published", "已发布 published"
    WITHDRAWN = "withdrawn", "已撤回 withdrawn"


class ReportQuerySet(models.QuerySet):
    def published(self) -> ReportQuerySet:
        return self.filter(status=ReportStatus.PUBLISHED)

    def citable(self) -> ReportQuerySet:
        """Reports whose permalinks must answer: published or withdrawn (a tombstone)."""
        return self.filter(status__in=[ReportStatus.PUBLISHED, ReportStatus.WITHDRAWN])

    def for_place(self, place: Place) -> ReportQuerySet:
        return self.filter(place__in=Place.objects.under(place))

    def with_place_chain(self) -> ReportQuerySet:
        """Each report's place with its parents up to the nation (district, city, province,
        nation) in the same query: a place's link is its whole chain of slugs, and walking
        `parent` row by row cost a query per level for every report of a list."""
        return self.select_related("place__parent__parent__parent")

    def neighbours(self, report: Report) -> tuple[Report | None, Report | None]:
        """The same place's report of the same kind in the nearest earlier and later year
        (years the archive lacks are skipped, so 1978 follows 1975 when 1976-77 are missing)."""
        if report.place_id is None or report.year is None:
            return None, None
        series = self.filter(place_id=report.place_id, doc_type=report.doc_type)
        earlier = series.filter(year__lt=report.year).order_by("-year", "public_id").first()
        later = series.filter(year__gt=report.year).order_by("year", "public_id").first()
        return earlier, later


class Report(models.Model):
    """The logical document readers cite: one place, year and kind, one or more versions."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=300)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doc_type = models.CharField(max_length=24, choices=DocType.choices, default=DocType.WORK_REPORT)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The readable permalink path ("tianjin-shi/heping-qu/2016/work-report"); older ones are
    # kept as ReportAlias rows so that they keep redirecting here.
    readable_path = models.CharField(max_length=300, unique=True, null=True, blank=True)
    delivered = models.DateField(null=True, blank=True)
    meeting = models.CharField(max_length=200, blank=True)
    speaker = models.CharField(max_length=100, blank=True)
    # Who published the document, as an editor corrected it; blank: as the copy itself says
    # (SourceFile.source_publisher, which is never changed).
    publisher = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["place__full_name", "year", "public_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="report_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(public_id__regex=rf"^{PUBLIC_ID_PATTERN}$"),
                name="report_public_id_format",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"], name="report_status_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.readable_path:
            return reverse("archive:report_readable", args=[self.readable_path])
        return self.get_short_url()

    def get_short_url(self) -> str:
        return reverse("archive:report_short", args=[self.public_id])

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def place_label(self) -> str:
        return self.place.full_name if self.place else "地点未知 (place unknown)"

    @property
    def year_label(self) -> str:
        return str(self.year) if self.year else "年份未知 (year unknown)"

    @property
    def publisher_label(self) -> str:
        """The publisher as corrected, else as the current version's copy says."""
        if self.publisher:
            return self.publisher
        version = self.current_version
        return version.source.source_publisher if version else ""


class PlaceAlias(models.Model):
    """A URL path a place once had (before its slug was corrected): it redirects (301) to the
    place's current one, so that links already shared keep working."""

    path = models.CharField(max_length=300, unique=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="aliases")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "place aliases"

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("archive:place", args=[self.path])


class ReportAlias(models.Model):
    """A readable path a report once had: it redirects (301) to the report's current one."""

    path = models.CharField(max_length=300, unique=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="aliases")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "report aliases"

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("archive:report_readable", args=[self.path])


class ImmutableError(Exception):
    pass


class ReportVersion(models.Model):
    """One parse of one source file: the text, sections and numbers as read. Never edited."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.ForeignKey(SourceFile, on_delete=models.PROTECT, related_name="versions")
    pipeline_version = models.CharField(max_length=32)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    # Metadata as the pipeline read it; the Report holds what editors confirmed or corrected.
    parsed = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("a report version is never changed; make a new version")
        self.text_sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("archive:version", args=[self.report.public_id, self.number])

    @property
    def is_current(self) -> bool:
        return self.report.current_version_id == self.pk


class Section(models.Model):
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="sections")
    anchor = models.CharField(max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=12, choices=SectionKind.choices, default=SectionKind.OTHER)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # sha256 of the UTF-8 text the section's permalink shows, stored when the (immutable)
    # version is written so that the permalink registry never hashes text on a request
    text_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="section_unique_anchor"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="section_span_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.version.get_absolute_url()}#{self.anchor}"

    @property
    def text(self) -> str:
        return self.version.text[self.start : self.end]


class Paragraph(models.Model):
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField()
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="paragraphs"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # as Section.text_sha256: the registry's hash, computed on the write path
    text_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="paragraph_unique_number"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="paragraph_span_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"¶{self.number}"

    def get_absolute_url(self) -> str:
        return f"{self.version.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"p{self.number}"

    @property
    def text(self) -> str:
        return self.version.text[self.start : self.end]


class EditorialAction(models.Model):
    """The log of every editorial act: who did what to which report, when, and what changed."""

    class Verb(models.TextChoices):
        UPLOAD = "upload", "上传 upload"
        NEW_VERSION = "new_version", "新版本 new version"
        PUBLISH = "publish", "发布 publish"
        CORRECT = "correct", "更正 correct"
        WITHDRAW = "withdraw", "撤回 withdraw"
        RESTORE = "restore", "恢复 restore"
        REPARSE = "reparse", "重新解析 re-parse"
        COMMITMENT = "commitment", "更正数字 commitment correction"

    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=16, choices=Verb.choices)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [old, new], ...}
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["report", "at"], name="action_report_at")]

    def __str__(self) -> str:
        who = self.user.get_username() if self.user else "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.verb} {self.report_id}"

    FIELD_LABELS = {
        "title": "标题",
        "place": "地区",
        "year": "年份",
        "doc_type": "类型",
        "delivered": "作报告日期",
        "meeting": "会议",
        "speaker": "报告人",
        "publisher": "发布者",
        "version": "版本",
        "source": "原件",
        "status": "状态",
    }

    def change_lines(self) -> list[str]:
        """What changed, one readable line a field: "年份: 2015 → 2016" (a pair is old, new)."""
        lines = []
        for field, value in (self.changes or {}).items():
            label = self.FIELD_LABELS.get(field, field)
            if isinstance(value, list) and len(value) == 2:
                old, new = (v if v not in (None, "") else "—" for v in value)
                lines.append(f"{label}: {old} → {new}")
            else:
                shown = value[:12] + "…" if isinstance(value, str) and len(value) == 64 else value
                lines.append(f"{label}: {shown}")
        return lines


class Commitment(models.Model):
    """A number a report commits to (target) or reports (achievement), with its sentence."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="commitments")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="commitments"
    )
    paragraph = models.ForeignKey(
        Paragraph, null=True, blank=True, on_delete=models.CASCADE, related_name="commitments"
    )
    indicator = models.CharField(max_length=100)
    value = models.FloatField()
    value_max = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=30)
    qualifier = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=12, choices=CommitmentKind.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    sentence = models.TextField()
    # what the number measures (the parse_report contract; a 下降 value is positive, marked down)
    direction = models.CharField(
        max_length=8, choices=CommitmentDirection.choices, default=CommitmentDirection.LEVEL
    )
    period = models.CharField(
        max_length=20, choices=CommitmentPeriod.choices, default=CommitmentPeriod.YEAR
    )
    horizon = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="the target year (到2030年)"
    )
    scope = models.CharField(max_length=100, blank=True, help_text="empty: the whole jurisdiction")
    baseline = models.FloatField(null=True, blank=True, help_text="the 从/由 value of a transition")
    normalised = models.BooleanField(
        default=True, help_text="false: the indicator as the report writes it"
    )

    class Meta:
        ordering = ["version", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=models.F("value")),
                name="commitment_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="commitment_span_ordered"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "kind"], name="commitment_indicator_kind")]

    def __str__(self) -> str:
        value = f"{self.value:g}" + (f"–{self.value_max:g}" if self.value_max is not None else "")
        return f"{self.indicator} {value}{self.unit}"

    def get_absolute_url(self) -> str:
        if self.paragraph_id:
            return self.paragraph.get_absolute_url()
        return self.version.get_absolute_url()


class UploadJobState(models.TextChoices):
    QUEUED = "queued", "排队中 queued"
    PARSING = "parsing", "解析中 parsing"
    DONE = "done", "完成 done"
    FAILED = "failed", "失败 failed"


def new_batch_code() -> str:
    return secrets.token_urlsafe(12)


class UploadJob(models.Model):
    """One uploaded file waiting for, going through or done with the ingest pipeline.

    Parsing a large file takes longer than a web request may (a 45 MB text, one 10 MB line),
    so the upload only stages the bytes and writes this row; the background worker
    (`process_uploads --loop`, started with gunicorn) parses and stores it. The files of one
    upload share a `batch` code, the address of the page that shows their progress. Each
    file succeeds or fails on its own.
    """

    batch = models.CharField(max_length=24, default=new_batch_code, db_index=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    # The bytes as uploaded, until the worker has stored them as a SourceFile (then removed).
    staged = models.CharField(max_length=200, blank=True)
    publish = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=UploadJobState.choices, default=UploadJobState.QUEUED
    )
    message = models.CharField(max_length=500, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A merge job files the draft `merge_draft` (its public id: the draft row is deleted by
    # the merge) as a new version of `merge_into`; the re-parse runs here, not in the request.
    merge_draft = models.CharField(max_length=16, blank=True)
    merge_into = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "id"], name="uploadjob_state")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("archive:upload_batch", args=[self.batch])

    @property
    def finished(self) -> bool:
        return self.state in (UploadJobState.DONE, UploadJobState.FAILED)

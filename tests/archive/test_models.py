"""Database rules of the archive: immutability, uniqueness, migrations in step."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from archive.models import ImmutableError, Report, ReportVersion, SourceFile
from archive.services import place_slug, store_file

pytestmark = pytest.mark.django_db


def test_no_model_change_is_missing_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_a_version_cannot_be_edited(seed_bytes):
    outcome = store_file(seed_bytes["001_46ac5d44bafe418d.txt"], "001.txt", publish=True)
    version = outcome.version
    version.text = "something else"
    with pytest.raises(ImmutableError):
        version.save()
    assert ReportVersion.objects.get(pk=version.pk).text != "something else"


def test_one_source_per_sha256(seed_bytes):
    store_file(seed_bytes["000_9a318e5cd3625d9e.txt"], "000.txt")
    existing = SourceFile.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFile.objects.create(
            sha256=existing.sha256, file="x", original_name="x", media_type="text/plain", size=1
        )


def test_one_version_number_per_report(seed_bytes):
    outcome = store_file(seed_bytes["000_9a318e5cd3625d9e.txt"], "000.txt")
    v = outcome.version
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(
            report=v.report, number=v.number, source=v.source, pipeline_version="x", text="t"
        )


def test_public_ids_are_not_database_keys(seed_bytes):
    for name, data in seed_bytes.items():
        store_file(data, name)
    ids = list(Report.objects.values_list("public_id", flat=True))
    assert len(set(ids)) == len(ids) == 5
    assert all(len(i) == 8 and not i.isdigit() for i in ids)


@pytest.mark.parametrize(
    "name,slug",
    [
        ("和平区", "heping-qu"),
        ("天津市", "tianjin-shi"),
        ("内蒙古自治区", "neimenggu-zizhiqu"),
        ("呼伦贝尔市", "hulunbeier-shi"),
    ],
)
def test_place_slugs_are_readable_pinyin(name, slug):
    assert place_slug(name) == slug


def _report_with_sections(n: int) -> bytes:
    """A district report with n chapters of two subsections each (3n sections)."""
    numerals = "一二三四五六七八九十"
    lines = ["天津市和平区2019年政府工作报告", ""]
    for i in range(n):
        chapter = numerals[i % 10] if i < 10 else f"{numerals[i // 10 - 1]}十{numerals[i % 10]}"
        lines += [f"{chapter}、第{i + 1}项工作", ""]
        for j, sub in enumerate("一二"):
            lines += [
                f"（{sub}）第{i + 1}项的第{j + 1}部分",
                "",
                f"推进第{i + 1}.{j + 1}项任务。",
                "",
            ]
    return "\n".join(lines).encode()


def test_sections_are_written_in_batches_with_their_parents():
    """A long report's sections cost a bounded number of statements (not one INSERT each),
    keep the document order in their ids, and each subsection points at its chapter."""
    from archive.ingest.pipeline import parse_file
    from archive.services import add_version

    small = store_file(_report_with_sections(3), "small.txt").version
    report = small.report
    parsed = parse_file(_report_with_sections(40), "big.txt")
    assert len(parsed.sections) >= 120
    with CaptureQueriesContext(connection) as queries:
        version = add_version(report, small.source, parsed)
    inserts = [
        q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "archive_section"')
    ]
    assert len(inserts) <= 2, len(inserts)
    rows = list(version.sections.order_by("pk"))
    assert [s.order for s in rows] == sorted(s.order for s in rows)
    by_anchor = {s.anchor: s for s in parsed.sections}
    for row in rows:
        expected = by_anchor[row.anchor].parent
        assert (row.parent.anchor if row.parent else None) == (expected or None)
    assert any(row.parent is not None for row in rows)

"""Re-read stored originals with the current ingest pipeline, as new versions.

    python manage.py reparse_reports [PUBLIC_ID ...] [--force] [--dry-run]

When the pipeline improves, each report whose current version was made by an older pipeline
gets a new version parsed from the same original bytes. Old versions are never touched, so
every cited version URL keeps showing what was cited. Metadata editors corrected lives on the
report, not the version, so corrections carry over.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.ingest.pipeline import PIPELINE_VERSION, parse_file
from archive.ingest.result import IngestError
from archive.models import EditorialAction, Report
from archive.services import add_version, log_action
from search.indexing import apply_pending, enqueue_report


class Command(BaseCommand):
    help = "Re-parse stored originals with the current pipeline into new versions."

    def add_arguments(self, parser):
        parser.add_argument("public_ids", nargs="*", help="only these reports (default: all)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="make a new version even if the pipeline version is unchanged",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be done")

    def handle(self, *args, public_ids: list[str], force: bool, dry_run: bool, **options):
        reports = Report.objects.exclude(current_version=None).select_related(
            "current_version__source"
        )
        if public_ids:
            reports = reports.filter(public_id__in=public_ids)
        done = skipped = failed = 0
        total = reports.count()
        for i, report in enumerate(reports.iterator(), 1):
            current = report.current_version
            if current.pipeline_version == PIPELINE_VERSION and not force:
                skipped += 1
                continue
            if dry_run:
                self.stdout.write(
                    f"[{i}/{total}] would re-parse {report.public_id} "
                    f"({current.pipeline_version} -> {PIPELINE_VERSION})"
                )
                continue
            source = current.source
            try:
                parsed = parse_file(source.read_bytes(), source.original_name)
            except IngestError as e:
                failed += 1
                self.stderr.write(f"[{i}/{total}] {report.public_id}: {e}")
                continue
            with transaction.atomic():
                version = add_version(report, source, parsed)
                log_action(
                    report,
                    EditorialAction.Verb.REPARSE,
                    changes={
                        "version": version.number,
                        "pipeline": [current.pipeline_version, PIPELINE_VERSION],
                    },
                )
                enqueue_report(report)
            done += 1
            self.stdout.write(f"[{i}/{total}] {report.public_id}: version {version.number}")
        applied = 0 if dry_run else apply_pending()
        self.stdout.write(
            f"re-parsed {done}, up to date {skipped}, failed {failed}; "
            f"index changes applied: {applied}"
        )

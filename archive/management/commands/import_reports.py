"""Store report files in the archive and make them searchable.

    python manage.py import_reports FILE_OR_FOLDER... [--draft]

Each file goes through the ingest pipeline and is stored with its original bytes; the same
bytes imported twice never make a second report (the command says "duplicate" and moves on).
Files the pipeline cannot read are reported with the reason and leave nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.result import IngestError
from archive.services import store_file
from search.indexing import apply_pending

SUFFIXES = {".txt", ".text", ".htm", ".html", ".docx", ".pdf"}


class Command(BaseCommand):
    help = "Import report files (or folders of them) into the archive, publish and index them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--draft", action="store_true",
                            help="store as drafts for an editor to review instead of publishing")

    def handle(self, *args, paths: list[str], draft: bool = False, **options):
        files = self._collect(paths)
        counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        for i, file in enumerate(files, 1):
            prefix = f"[{i}/{len(files)}] {file.name}"
            try:
                outcome = store_file(file.read_bytes(), file.name, publish=not draft)
            except IngestError as e:
                counts["rejected"] += 1
                self.stderr.write(f"{prefix}: rejected: {e}")
                continue
            if outcome.created:
                counts["stored"] += 1
                r = outcome.report
                self.stdout.write(f"{prefix}: stored as {r.public_id} "
                                  f"({r.place_label}, {r.year_label}, {r.doc_type})")
            else:
                counts["duplicate"] += 1
                self.stdout.write(f"{prefix}: duplicate of {outcome.report.public_id}, skipped")
        applied = apply_pending()
        self.stdout.write(f"stored {counts['stored']}, duplicates {counts['duplicate']}, "
                          f"rejected {counts['rejected']}; index changes applied: {applied}")

    def _collect(self, paths: list[str]) -> list[Path]:
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*")
                                    if p.is_file() and p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"no such file or folder: {raw}")
        return files

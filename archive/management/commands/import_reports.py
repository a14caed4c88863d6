"""Store report files in the archive and make them searchable.

    python manage.py import_reports FILE_OR_FOLDER... [--draft] [--metadata SIDECAR.csv]

Each file goes through the ingest pipeline and is stored with its original bytes; the same
bytes imported twice never make a second report (the command says "duplicate" and moves on).
Files the pipeline cannot read are reported with the reason and leave nothing behind.

A sidecar CSV (columns: file, and any of place, year, doc_type, title) states metadata known
from elsewhere — e.g. where a copying site masked the place. It wins over what the pipeline
read, and is logged as a correction.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.result import IngestError
from archive.ingest.years import plausible_year
from archive.models import DocType
from archive.services import UnknownPlace, correct_metadata, place_from_name, store_file
from search.indexing import apply_pending, deferred_apply

SUFFIXES = {".txt", ".text", ".htm", ".html", ".docx", ".pdf"}


def _sidecar_year(written: str) -> int:
    year = int(written)
    if not plausible_year(year):
        raise ValueError(f"implausible year {year}")
    return year


def _sidecar_doc_type(written: str) -> str:
    if written.strip() not in DocType.values:
        raise ValueError(f"doc_type must be one of {', '.join(DocType.values)}")
    return written.strip()


# The sidecar's metadata columns, in the order the corrections are logged: each reads a
# non-blank cell into the value stored, or raises ValueError (UnknownPlace for a place the
# gazetteer does not know) with what is wrong.
SIDECAR_COLUMNS = {
    "place": place_from_name,
    "year": _sidecar_year,
    "doc_type": _sidecar_doc_type,
    "title": lambda written: written.strip()[:300],
}


def sidecar_values(row: dict) -> dict:
    """The metadata overrides of one sidecar row: its non-blank metadata cells, read."""
    return {
        column: read(row[column])
        for column, read in SIDECAR_COLUMNS.items()
        if (row.get(column) or "").strip()
    }


class Command(BaseCommand):
    help = "Import report files (or folders of them) into the archive, publish and index them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="store as drafts for an editor to review instead of publishing",
        )
        parser.add_argument(
            "--metadata",
            metavar="CSV",
            help="sidecar CSV with columns file,place,year,doc_type,title "
            "(file = the file's name); its values override what was read",
        )

    def handle(
        self, *args, paths: list[str], draft: bool = False, metadata: str | None = None, **options
    ):
        files = self._collect(paths)
        sidecar = self._read_sidecar(metadata) if metadata else {}
        counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        rejected: list[str] = []
        # One index commit at the end instead of one per file.
        with deferred_apply():
            self._import(files, sidecar, draft, counts, rejected)
        apply_pending(timeout=120)  # whatever a busy index left queued at the end of the block
        for line in rejected:
            self.stdout.write(f"rejected: {line}")
        self.stdout.write(
            f"stored {counts['stored']}, duplicates {counts['duplicate']}, "
            f"rejected {counts['rejected']}; the search index is up to date"
        )

    def _import(self, files, sidecar, draft, counts, rejected) -> None:
        for i, file in enumerate(files, 1):
            prefix = f"{self._bar(i, len(files))} {file.name}"
            try:
                outcome = store_file(file.read_bytes(), file.name, publish=not draft)
            except IngestError as e:
                counts["rejected"] += 1
                rejected.append(f"{file}: {e}")
                self.stderr.write(f"{prefix}: rejected: {e}")
                continue
            if outcome.created and file.name in sidecar:
                correct_metadata(outcome.report, **sidecar[file.name])
            if outcome.created:
                counts["stored"] += 1
                r = outcome.report
                self.stdout.write(
                    f"{prefix}: stored as {r.public_id} "
                    f"({r.place_label}, {r.year_label}, {r.doc_type})"
                )
            else:
                counts["duplicate"] += 1
                self.stdout.write(f"{prefix}: duplicate of {outcome.report.public_id}, skipped")

    @staticmethod
    def _bar(done: int, total: int, width: int = 20) -> str:
        filled = width * done // max(total, 1)
        return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"

    def _read_sidecar(self, path: str) -> dict[str, dict]:
        """file name -> metadata overrides, each value checked before anything is imported."""
        overrides: dict[str, dict] = {}
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = list(csv.DictReader(f))
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise CommandError(f"cannot read sidecar {path}: {e}") from None
        for n, row in enumerate(rows, 2):
            name = (row.get("file") or "").strip()
            if not name:
                raise CommandError(f"{path}:{n}: the column 'file' is empty")
            try:
                overrides[Path(name).name] = sidecar_values(row)
            except (UnknownPlace, ValueError) as e:
                raise CommandError(f"{path}:{n}: {e}") from None
        return overrides

    def _collect(self, paths: list[str]) -> list[Path]:
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(
                    sorted(
                        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                    )
                )
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"no such file or folder: {raw}")
        return files

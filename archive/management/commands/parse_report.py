"""Run the ingest pipeline on one file and print what it read, without touching the database.

`python manage.py parse_report PATH --json` prints the contract object of
docs/architecture.md (title, place, year, doc_type, dates, meeting, text, sections,
commitments, warnings); other tools (the scorer among them) depend on its shape.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.pipeline import parse_file
from archive.ingest.result import IngestError


class Command(BaseCommand):
    help = "Parse a report file with the ingest pipeline and print the result (no database)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to parse (.txt, .html, .docx, .pdf)")
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the contract JSON object instead of a summary",
        )

    def handle(self, *args, path: str, json: bool = False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            result = parse_file(file.read_bytes(), file.name)
        except IngestError as e:
            raise CommandError(f"{file.name}: {e}") from None
        if json:
            self._print_json(result.to_contract())
            return
        place = result.place.name if result.place else "未知 (unknown)"
        self.stdout.write(
            f"{result.title}\n{place} · {result.year or '未知年份'} · {result.doc_type}"
        )
        for section in result.sections:
            self.stdout.write(
                f"{'  ' * section.level}{section.anchor} [{section.kind}] {section.title}"
            )
        for c in result.commitments:
            self.stdout.write(f"  {c.kind}: {c.indicator} {c.value:g} {c.unit} {c.qualifier or ''}")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))

    def _print_json(self, obj: dict) -> None:
        # Write UTF-8 bytes directly: the console's locale must not decide how Chinese prints.
        sys.stdout.buffer.write(json_dumps(obj).encode("utf-8") + b"\n")
        sys.stdout.flush()


def json_dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False)

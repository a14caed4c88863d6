"""Report files in the media folder that no database row accounts for.

An original is written to MEDIA_ROOT/originals/ just before its SourceFile row commits; a
crash in between (or a restore of an older database next to a newer media folder) leaves a
file no row points at. Staged uploads (MEDIA_ROOT/incoming/) belong to an UploadJob until the
worker has stored them. Neither is ever deleted here: originals are write-once, and an
unaccounted one may be exactly what someone needs to re-import (`import_reports PATH`).
Exits 1 when something is found, so that it can run from cron or a health check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive.uploads import unaccounted_media


class Command(BaseCommand):
    help = "List originals and staged uploads in media/ without a database row."

    def handle(self, *args, **options):
        found = unaccounted_media()
        for kind, names in found.items():
            for name in names:
                self.stdout.write(f"{kind}: {name}")
        summary = ", ".join(f"{kind} {len(names)}" for kind, names in found.items())
        if any(found.values()):
            self.stdout.write(self.style.WARNING(f"files without a row: {summary}"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"every file has its row ({summary})"))

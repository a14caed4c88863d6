"""Build the search index afresh and swap it in atomically.

The new index is written to a sibling folder while searches go on against the old one; a
single rename of the index link then switches every worker over (each notices on its next
request). Changes queued while the rebuild ran stay queued and are applied after it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search.indexing import apply_pending, rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database in a new folder and swap it in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--procs",
            type=int,
            default=1,
            help="indexing processes (Whoosh multisegment writer; default 1)",
        )
        parser.add_argument(
            "--limitmb",
            type=int,
            default=1024,
            help="Whoosh's posting pool per indexing process in MB (default 1024)",
        )
        parser.add_argument(
            "--segment-reports",
            type=int,
            default=500,
            help="reports per index segment (default 500: about 1 GB of memory at the peak)",
        )

    def handle(self, *args, procs: int, limitmb: int, segment_reports: int, **options):
        def progress(n: int, total: int) -> None:
            self.stdout.write(f"  {n}/{total} reports")

        info = rebuild(
            procs=procs, limitmb=limitmb, segment_reports=segment_reports, progress=progress
        )
        later = apply_pending(timeout=60)
        self.stdout.write(
            self.style.SUCCESS(
                f"indexed {info['sections']} sections of {info['reports']} reports in "
                f"{info['seconds']:.1f} s -> {info['path']}; {later} queued change(s) applied after"
            )
        )

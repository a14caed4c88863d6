"""Parse uploaded files in the background (the upload page only stages them).

With --loop it is the background worker that gunicorn's master starts and restarts beside the
index writer (config/background.py); without, it parses what is queued now and exits.
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from archive.uploads import UploadWorker, process_next, recover_interrupted


class Command(BaseCommand):
    help = "Parse and store queued uploads; --loop keeps running as the background worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep running, polling the queue when it is empty"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between polls with --loop (default ARCHIVE_INDEX_WRITER_POLL, 0.5)",
        )

    def handle(self, *args, loop: bool, interval: float | None, **options):
        if loop:
            worker = UploadWorker(
                poll=settings.SEARCH_WRITER_POLL_SECONDS if interval is None else interval
            )
            signal.signal(signal.SIGTERM, worker.stop)
            signal.signal(signal.SIGINT, worker.stop)
            self.stdout.write("upload worker: running")
            worker.run()
            self.stdout.write("upload worker: stopped")
            return
        recover_interrupted()
        done = 0
        while (job := process_next()) is not None:
            done += 1
            self.stdout.write(f"{job.filename}: {job.state} {job.message}")
        self.stdout.write(f"uploads: {done} processed")

"""Apply pending search-index changes (the single writer).

Web requests apply the queue right after they commit; this command catches whatever they
left (a busy lock, a crash) and, with --loop, is the background worker that keeps doing so.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from search.indexing import IndexBusy, apply_pending, prune_applied


class Command(BaseCommand):
    help = "Apply pending index changes; --loop keeps running as a background worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="keep running, polling the queue every --interval seconds",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="seconds between polls with --loop (default 2)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="seconds to wait for the index lock (default 60)",
        )

        parser.add_argument(
            "--prune-days",
            type=int,
            default=7,
            help="forget queue rows applied more than this many days ago (default 7)",
        )

    def handle(
        self, *args, loop: bool, interval: float, timeout: float, prune_days: int, **options
    ):
        pruned = prune_applied(prune_days)
        if pruned:
            self.stdout.write(f"queue: {pruned} old applied row(s) pruned")
        while True:
            try:
                done = apply_pending(timeout=timeout)
                if done or not loop:
                    self.stdout.write(f"index: {done} report(s) brought up to date")
            except IndexBusy as exc:
                self.stderr.write(f"index busy, will retry: {exc}")
                if not loop:
                    raise SystemExit(1) from None
            if not loop:
                return
            time.sleep(interval)

"""Apply pending search-index changes (the single writer).

Web requests try to apply their own change right after they commit, waiting at most ~100 ms
for the lock; everything they leave is this command's. With --loop it is the background
writer: `make run` starts it beside gunicorn's workers (config/gunicorn.conf.py supervises it
and restarts it if it dies), and a systemd deployment runs it as a unit of its own (docs/operations.md, "Deploy").
It never dies of an error while applying: it logs it, records it on the queue rows (shown by
/healthz) and retries with back-off.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from search.indexing import IndexBusy, Writer, apply_pending, prune_applied, writer_leadership


class Command(BaseCommand):
    help = "Apply pending index changes; --loop keeps running as the background writer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            action="store_true",
            help="keep running, polling the queue every --interval seconds",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between polls with --loop (default ARCHIVE_INDEX_WRITER_POLL, 0.5)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="seconds to wait for the index lock (default 60)",
        )
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=None,
            help="with --loop, the longest wait between retries after failures "
            "(default ARCHIVE_INDEX_WRITER_MAX_BACKOFF, 30)",
        )
        parser.add_argument(
            "--prune-days",
            type=int,
            default=7,
            help="forget queue rows applied more than this many days ago (default 7)",
        )

    def handle(
        self,
        *args,
        loop: bool,
        interval: float | None,
        timeout: float,
        max_backoff: float | None,
        prune_days: int,
        **options,
    ):
        pruned = prune_applied(prune_days)
        if pruned:
            self.stdout.write(f"queue: {pruned} old applied row(s) pruned")
        if not loop:
            try:
                done = apply_pending(timeout=timeout)
            except IndexBusy as exc:
                self.stderr.write(f"index busy: {exc}")
                raise SystemExit(1) from None
            self.stdout.write(f"index: {done} report(s) brought up to date")
            return
        poll = settings.SEARCH_WRITER_POLL_SECONDS if interval is None else interval
        if max_backoff is None:
            max_backoff = settings.SEARCH_WRITER_MAX_BACKOFF_SECONDS
        # The lock wait of one round is short: a rebuild holding the lock for minutes must
        # not stop the loop from noticing SIGTERM, and the next round comes a poll later.
        writer = Writer(
            poll=poll,
            lock_wait=min(timeout, 5.0),
            max_backoff=max_backoff,
            report=lambda line: self.stdout.write(line),
        )
        signal.signal(signal.SIGTERM, writer.stop)
        signal.signal(signal.SIGINT, writer.stop)
        # Ready before taking over: a standby that becomes the writer applies at once.
        from search.analysis import get_jieba

        get_jieba()
        with writer_leadership(writer.stopping) as leading:
            if not leading:
                self.stdout.write("index writer (standby): stopped")
                return
            pid_path = _write_writer_pid()
            self.stdout.write(f"index writer: polling every {poll:g} s")
            try:
                writer.run()
            finally:
                _forget_writer_pid(pid_path)
        self.stdout.write("index writer: stopped")


def _write_writer_pid():
    """index-writer.pid names the process writing now (the standby's after a takeover): what
    operators and tests look at to find, or kill, the writer. It lives in VAR_DIR, beside the
    supervisors' own pid files (config.background.pid_file reads the same ARCHIVE_VAR_DIR)."""
    path = Path(settings.VAR_DIR) / "index-writer.pid"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{os.getpid()}\n")
    except OSError:
        return None
    return path


def _forget_writer_pid(path) -> None:
    """A writer that stops removes its pid file, unless a successor has already written its own."""
    try:
        if path is not None and path.read_text().strip() == str(os.getpid()):
            path.unlink()
    except OSError:
        pass

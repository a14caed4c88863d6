"""The background workers, supervised by gunicorn's master process (config/gunicorn.conf.py).

Wherever the archive is served by gunicorn — `make run`, the integration tests, the load test,
a deployment — the master also runs `manage.py apply_index_queue --loop` (the single index
writer) and `manage.py process_uploads --loop` (parses uploaded files) as children, restarts
each whenever it exits (a crash, an out-of-memory kill, a `kill -9`), with a back-off so that
one that cannot start does not spin, and stops them when gunicorn stops. A `kill -HUP` reload
restarts them too, so they run the new code.

Why a server hook and not a Procfile run by honcho: honcho (like foreman) stops every process
when one of them exits, so a writer killed once would take the web workers down with it, and
nothing would start it again; a second process manager would also be one more thing to
remember to run. gunicorn's master already supervises processes and is what every
deployment of this archive runs. With `ARCHIVE_INDEX_WRITER=external` the hook does nothing:
the writer then runs as a systemd unit of its own (docs/operations.md, "Deploy").

This module imports no Django: it runs inside the gunicorn master, which never loads the
application (workers do), so the master stays small and a bad deploy cannot stop it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# gunicorn's master reaps every child it has; an exit code of 3 or 4 means "a worker failed to
# boot" to it and halts the whole server. The writer never exits with those (Django commands
# exit 0 or 1), and the supervisor below treats any exit the same way: start again.
RESTART_BACKOFF_MAX = 30.0
# A writer that ran this long before exiting was healthy (it got past Django's start and into
# its loop): it is restarted at once, because every second it is down is a second of
# staleness. Only exits in quick succession (a writer that cannot start) back off, 1 s
# doubling to RESTART_BACKOFF_MAX. A longer threshold made the first restart after a kill wait
# 2-4 s whenever the writer had been started less than a minute before, which with a
# loaded machine's slow start put the catch-up past the 10 s bound.
HEALTHY_RUN_SECONDS = 10.0


def writer_enabled() -> bool:
    return os.environ.get("ARCHIVE_INDEX_WRITER", "embedded").strip().lower() not in (
        "external",
        "off",
        "false",
        "0",
        "no",
    )


class WriterSupervisor:
    """Runs one background process (a management command with --loop) and keeps it running
    until stop().

    A thread of the master watches the writer. It starts processes with os.posix_spawn, not
    subprocess.Popen: Popen waits on a pipe for its child's exec, and a gunicorn worker forked
    by the master's main thread at that moment inherits the pipe's other end, so Popen would
    hang until that worker exits (seen: the writer's start logged only at shutdown). And it
    polls with WNOHANG instead of blocking in waitpid, because the master's SIGCHLD handler
    reaps every child it has, ours included.
    """

    def __init__(
        self, log, name: str = "index-writer", command: str = "apply_index_queue", poll: float = 0.2
    ):
        self.log = log
        self.name = name
        self.command = [sys.executable, str(PROJECT_ROOT / "manage.py"), command, "--loop"]
        self.poll = poll
        self.pid: int | None = None
        self.stopping = threading.Event()
        self.reloading = threading.Event()
        self.restarts = 0
        self.thread = threading.Thread(target=self._run, name=f"{name}-supervisor", daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        self.thread.start()

    def _spawn(self) -> int:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        pid = os.posix_spawn(self.command[0], self.command, env)
        _write_pid(self.name, pid, self.log)
        self.log.info("%s started (pid %s)", self.name, pid)
        return pid

    def _run(self) -> None:
        quick_exits = 0  # exits in a row, each within HEALTHY_RUN_SECONDS of its start
        while not self.stopping.is_set():
            with self._lock:
                if self.stopping.is_set():
                    break
                try:
                    self.pid = self._spawn()
                except OSError as e:
                    self.log.error("%s could not start: %s", self.name, e)
                    self.pid = None
            started = time.monotonic()
            how = self._wait(self.pid)
            if self.stopping.is_set():
                break
            ran = time.monotonic() - started
            if self.reloading.is_set():
                self.reloading.clear()
                self.log.info("%s %s for a reload; starting it again", self.name, how)
                continue
            quick_exits = 0 if ran > HEALTHY_RUN_SECONDS else quick_exits + 1
            backoff = (
                0.0 if quick_exits <= 1 else min(2.0 ** (quick_exits - 2), RESTART_BACKOFF_MAX)
            )
            self.restarts += 1
            self.log.error("%s %s after %.1f s; restarting in %.0f s", self.name, how, ran, backoff)
            self.stopping.wait(backoff)
        _write_pid(self.name, None, self.log)

    def _wait(self, pid: int | None) -> str:
        """Until the writer has exited (or stop() was called); says how it ended."""
        if pid is None:
            return "did not start"
        while True:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return "exited (reaped by the master)"
            if done:
                return f"exited ({_describe(status)})"
            if self.stopping.wait(self.poll):
                return "stopped"

    def restart(self) -> None:
        """Stop the running writer; the supervisor starts a fresh one (new code after HUP)."""
        self.reloading.set()
        self._terminate(self.pid, timeout=15.0)

    def stop(self, timeout: float = 15.0) -> None:
        with self._lock:
            self.stopping.set()
            pid = self.pid
        self._terminate(pid, timeout)
        self.thread.join(timeout=5)
        _write_pid(self.name, None, self.log)

    @staticmethod
    def _terminate(pid: int | None, timeout: float) -> None:
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)  # the writer ends between two batches
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"code {os.waitstatus_to_exitcode(status)}"


def _write_pid(name: str, pid: int | None, log) -> None:
    # For operators and tests: which process does this job right now.
    path = pid_file(name)
    try:
        if pid is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{pid}\n")
    except OSError as e:
        log.warning("index writer pid file %s: %s", path, e)


def pid_file(name: str) -> Path:
    var = Path(os.environ.get("ARCHIVE_VAR_DIR", str(PROJECT_ROOT / "var")))
    return var / f"{name}.pid"


def background_workers(log) -> list[WriterSupervisor]:
    """The processes gunicorn's master runs beside its web workers: the upload parser apart
    from the index writer (a 45 MB upload being parsed must not hold up the index, the
    staleness bound), and the writer twice: one writes, the other waits warm on the writer's
    lock (search.indexing.writer_leadership) and takes over the moment the first dies, while
    this supervisor starts a new standby. The writer itself names its pid in index-writer.pid;
    the supervisors' own pid files are index-writer-a/-b."""
    return [
        WriterSupervisor(log, "index-writer-a", "apply_index_queue"),
        WriterSupervisor(log, "index-writer-b", "apply_index_queue"),
        WriterSupervisor(log, "upload-worker", "process_uploads"),
    ]

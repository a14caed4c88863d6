"""gunicorn settings for serving the archive (make run; production reads the same file).

Workers are processes (sync workers: one request at a time each, so a slow search never
blocks another request in the same worker). Each loads jieba's dictionary and opens the search
index once, about a second each, before it takes traffic (post_worker_init, config/warmup.py),
so a respawned worker's first request is as quick as any; workers are recycled rarely and with
jitter all the same.

Graceful reload after a deploy: `kill -HUP <master pid>` starts new workers with the new code
and lets old ones finish their requests (up to graceful_timeout). A worker that dies or hangs
past `timeout` is killed and replaced by the master; the request it held fails, no other.

The master also runs the background workers (the single index writer, the upload parser) and
restarts them if they die: config/background.py says why this, and not a Procfile.
ARCHIVE_INDEX_WRITER=external leaves them to a process manager (systemd units of their own).
"""

import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from config.background import background_workers, writer_enabled


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2))
threads = _int("GUNICORN_THREADS", 1)
# A search on a large index can take seconds; longer than this is a hung worker.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Restart a worker now and then so that memory stays bounded; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Uploads up to ARCHIVE_MAX_UPLOAD_BYTES pass through; headers stay small.
limit_request_line = 8190
limit_request_fields = 100
# The heartbeat file on tmpfs, so that a slow disk never makes the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Behind a reverse proxy on another host, list its address so X-Forwarded-* are trusted.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# "-" is stderr; an empty value or "off" turns the access log off (the load test does).
_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access.strip().lower() in ("", "off", "none") else _access
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "district-report-archive"


def post_worker_init(worker):
    """The worker has loaded the application: load jieba, open the index and compile the
    templates now, before it accepts its first connection (config/warmup.py)."""
    from config.warmup import warm_up

    warm_up()


def when_ready(server):
    """The master is listening: start the background workers (the index writer, the upload
    parser) beside the web workers. They hang on the arbiter, not on this module: a `kill
    -HUP` reads this file again into a fresh module, and the hooks below must still find
    them."""
    if writer_enabled() and not getattr(server, "background_workers", None):
        server.background_workers = background_workers(server.log)
        for worker in server.background_workers:
            worker.start()


def on_reload(server):
    """`kill -HUP`: new workers get the new code, and so do the background workers."""
    for worker in getattr(server, "background_workers", None) or []:
        worker.restart()


def on_exit(server):
    """gunicorn stops: the background workers stop with it (each finishes what it is doing)."""
    for worker in getattr(server, "background_workers", None) or []:
        worker.stop()

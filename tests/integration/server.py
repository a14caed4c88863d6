"""A real archive served by gunicorn for integration tests: its own var folder, database and
index, migrated, with an editor account; stopped and removed afterwards."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EDITOR = ("concurrency-editor", "pw-concurrency-1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ArchiveServer:
    def __init__(self, var_dir: Path, workers: int = 4, env: dict[str, str] | None = None):
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "ARCHIVE_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "ARCHIVE_RATELIMIT": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GUNICORN_ACCESS_LOG": "",
            "ARCHIVE_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            **(env or {}),
        }
        # Under the PostgreSQL run, DATABASE_URL names the server's main database (pytest uses
        # a separate test_ database); otherwise a SQLite file of our own.
        if not self.env.get("DATABASE_URL", "").startswith("postgres"):
            self.env["DATABASE_URL"] = f"sqlite:///{var_dir / 'archive.sqlite3'}"
        self.process: subprocess.Popen | None = None

    def manage(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def prepare(self) -> None:
        self.manage("flush", "--noinput") if self.env["DATABASE_URL"].startswith(
            "postgres"
        ) else None
        self.manage("migrate", "--noinput")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User;"
            f"User.objects.filter(username='{EDITOR[0]}').exists() or "
            f"User.objects.create_user('{EDITOR[0]}', password='{EDITOR[1]}', is_staff=True)",
        )

    def start(self) -> None:
        log = open(self.var_dir / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "config.wsgi",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/reports/", timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.3)
        raise RuntimeError(
            "gunicorn did not come up:\n" + (self.var_dir / "gunicorn.log").read_text()
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def writer_pid(self) -> int | None:
        """The index writer gunicorn's master runs now (config/background.py's pid file)."""
        try:
            return int((self.var_dir / "index-writer.pid").read_text())
        except (OSError, ValueError):
            return None

    def health(self) -> dict:
        return requests.get(f"{self.url}/healthz", timeout=30).json()

    def wait_until_applied(self, limit: float) -> float:
        """Seconds until the index queue is empty (every committed change applied), or
        AssertionError after `limit` seconds, with what /healthz says."""
        started = time.monotonic()
        while True:
            body = self.health()
            if body.get("queue", {}).get("pending") == 0:
                return time.monotonic() - started
            if time.monotonic() - started > limit:
                raise AssertionError(f"queue not applied within {limit:.0f} s: {body}")
            time.sleep(0.1)

    def upload(
        self, session: requests.Session, files: list[tuple[str, bytes]], *, publish: bool = True
    ) -> tuple[str, float]:
        """POST files to /upload/ as a browser does; returns the batch page's URL and the
        seconds the POST took (the files are parsed by the background worker)."""
        token = csrf_token(session, f"{self.url}/upload/")
        data = {"csrfmiddlewaretoken": token, **({"publish": "on"} if publish else {})}
        started = time.monotonic()
        response = session.post(
            f"{self.url}/upload/",
            data=data,
            timeout=60,
            files=[("files", (name, body, "text/plain")) for name, body in files],
            headers={"Referer": f"{self.url}/upload/"},
            allow_redirects=False,
        )
        took = time.monotonic() - started
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return requests.compat.urljoin(self.url, response.headers["Location"]), took

    def batch_outcome(
        self, session: requests.Session, batch_url: str, limit: float = 120
    ) -> list[dict]:
        """Poll a batch page until every file is done or failed: one dict per file (state,
        report public id or None, the page's text of the row)."""
        deadline = time.monotonic() + limit
        while True:
            page = session.get(batch_url, timeout=60)
            assert page.status_code == 200, page.status_code
            rows = [
                {"state": m.group(1), "report": m.group(2), "row": m.group(3)}
                for m in re.finditer(
                    r'<tr class="upload-job[^"]*" data-state="(\w+)"'
                    r'(?: data-report="(\w+)")?>(.*?)</tr>',
                    page.text,
                    re.S,
                )
            ]
            if rows and all(r["state"] in ("done", "failed") for r in rows):
                return rows
            if time.monotonic() > deadline:
                raise AssertionError(f"upload batch not finished within {limit:.0f} s: {rows}")
            time.sleep(0.2)

    def server_errors(self) -> str:
        """The tracebacks gunicorn's workers logged, to explain a failed request."""
        log = (self.var_dir / "gunicorn.log").read_text(errors="replace")
        blocks = [b for b in log.split("\n\n") if "Traceback" in b or "ERROR" in b]
        return "\n\n".join(blocks)[-6000:]

    def editor_session(self) -> requests.Session:
        session = requests.Session()
        login = f"{self.url}/admin/login/"
        page = session.get(login, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            login,
            data={
                "username": EDITOR[0],
                "password": EDITOR[1],
                "csrfmiddlewaretoken": token,
                "next": "/upload/",
            },
            headers={"Referer": login},
            timeout=30,
        )
        assert response.status_code == 200 and "/upload/" in response.url, response.text[:500]
        return session


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=60)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

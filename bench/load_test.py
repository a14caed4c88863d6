"""Load test: gunicorn (4 workers) on 127.0.0.1 with a prepared archive, a bounded mixed load.

    .venv/bin/python bench/load_test.py                 # quick: ~60 s, 16 clients, 40 reports
    .venv/bin/python bench/load_test.py --full          # 3 minutes, 50 clients
    scripts/with-postgres .venv/bin/python bench/load_test.py   # the same on PostgreSQL
    .venv/bin/python bench/load_test.py --reuse var/bench-archive  # skip preparing again
    .venv/bin/python bench/load_test.py --proxy         # then the same load through nginx's cache
    .venv/bin/python bench/load_test.py --baseline      # + searches vs haystack's default page

The archive is prepared in a folder of its own (SQLite or $DATABASE_URL, media, index): the five
seed documents plus synthetic reports (bench/synthetic.py where it exists, otherwise variants
of the seeds). Clients mix search pages, grid views, report pages, API calls and a few staff
uploads, all over loopback. Printed: requests/s, latency p50/p95/p99 per kind and overall,
errors (status >= 500 or a failed connection), the CPU the server's processes spent per
request, and a JSON summary line for bench/run_all.py. With --proxy the same load runs a
second time through nginx (Debian's package) with config/nginx.conf's cache in front,
started on 127.0.0.1 from a temp folder (no root-only paths).

bench/faults.py reuses `Archive` and `LoadRunner` from here to inject faults under load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEEDS = ROOT / "fixtures" / "seeds"

QUERIES = [
    "营商环境",
    "棚户区改造",
    "新增就业",
    "地区生产总值",
    "一般公共预算收入",
    "城镇化",
    "生态环境",
    "乡村振兴",
    "招商引资",
    "民生",
    "教育",
    "医疗卫生",
    "养老",
    "科技创新",
    '"新增就业"',
    "营商环境 OR 放管服",
    "京津冀协同发展",
    "固定资产投资",
    "污染防治",
    "文化",
    "交通",
    "住房",
    "改革",
    "开放",
    "安全生产",
    "nonexistentword",
    "就业 -天津",
]
PLACES = ["", "", "", "天津市", "北京市", "天津市和平区"]
STAFF_USER, STAFF_PASSWORD = "loadtest-editor", "loadtest-pw-7781"
# How soon a published upload must be found, with or without a caching proxy in front.
PUBLISH_VISIBLE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def synthetic_texts(n: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """n report files. bench/synthetic.py (the search benchmarks' corpus) when present."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.synthetic import make_corpus
    except ImportError:
        make_corpus = None
    if make_corpus is not None:
        return [
            (f"synthetic-{i:05d}.txt", r.text.encode("utf-8"))
            for i, r in enumerate(make_corpus(n, seed=seed))
        ]
    # Variants of the seeds: another year and a numbered closing line, so that every file is
    # a distinct report (distinct bytes, distinct place/year/kind where the seed allows).
    rng = random.Random(seed)
    seeds = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt"))]
    files = []
    for i in range(n):
        text = seeds[i % len(seeds)]
        shift = 1 + i // len(seeds)
        text = re.sub(r"(20[0-2]\d)(?=年)", lambda m, s=shift: str(int(m.group(1)) - s), text)
        words = rng.sample(QUERIES[:14], 3)
        text += f"\n\n（合成样本 synthetic sample {i}：{'、'.join(words)}。）\n"
        files.append((f"synthetic-{i:05d}.txt", text.encode("utf-8")))
    return files


@dataclass
class Archive:
    """A prepared archive in its own folder, and the gunicorn serving it."""

    folder: Path
    workers: int = 4
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "ARCHIVE_VAR_DIR": str(self.folder),
            "ARCHIVE_STATIC_ROOT": str(self.folder / "static"),
            "ARCHIVE_CACHE_URL": str(self.folder / "cache"),
            # One address sends everything here: limits would measure themselves.
            "ARCHIVE_RATELIMIT": "false",
            "DEBUG": "false",
            "GUNICORN_ACCESS_LOG": "off",
            "PYTHONUNBUFFERED": "1",
        }
        return env

    def manage(self, *args: str, quiet: bool = True) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def refresh(self) -> None:
        """Migrations and static files of the code as it is now (a reused archive may be
        older than the code: a missing manifest entry would make every page a 500)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def prepare(self, reports: int, bulk: int = 0) -> dict:
        """The seeds and `reports - 5` synthetic reports imported through the pipeline, and
        `bulk` more synthetic reports stored directly (bench/bench_search.load_corpus: the
        pipeline takes seconds a report, too slow for 10,000), then one index rebuild."""
        t0 = time.perf_counter()
        self.refresh()
        incoming = self.folder / "incoming"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        for name, data in synthetic_texts(max(0, reports - 5)):
            (incoming / name).write_bytes(data)
        t1 = time.perf_counter()
        self.manage("import_reports", str(SEEDS), str(incoming))
        t2 = time.perf_counter()
        if bulk:
            self.manage(
                "shell", "-c", f"from bench.bench_search import load_corpus; load_corpus({bulk}, 7)"
            )
            self.manage("rebuild_search_index")
        t3 = time.perf_counter()
        self.ensure_staff()
        return {
            "prepare_s": round(t1 - t0, 1),
            "import_s": round(t2 - t1, 1),
            "bulk_s": round(t3 - t2, 1),
        }

    def published_reports(self) -> int:
        out = self.manage(
            "shell",
            "-c",
            "from archive.models import Report; print(Report.objects.published().count())",
        )
        return int(out.strip().splitlines()[-1])

    def ensure_staff(self) -> None:
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as g; U = g(); "
            f"U.objects.filter(username='{STAFF_USER}').exists() or "
            f"U.objects.create_superuser('{STAFF_USER}', '', '{STAFF_PASSWORD}')",
        )

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        self.log_path = self.folder / "gunicorn.log"
        # gunicorn's master starts the index writer beside its workers (config/background.py),
        # as `make run` and a deployment do: the load test measures the archive as it runs.
        self.proc = start_gunicorn(
            ["--config", "config/gunicorn.conf.py", "--workers", str(self.workers), "config.wsgi"],
            self.port,
            {**self.env, **(extra_env or {})},
            self.log_path,
        )
        if not answers(self.proc, self.port, "/healthz", (200, 503), timeout=5):
            tail = self.log_path.read_text(errors="replace")[-3000:]
            self.stop()
            raise SystemExit(f"gunicorn did not answer:\n{tail}")

    def worker_pids(self) -> list[int]:
        """gunicorn's web workers: the master's children except the background workers it
        runs beside them (the index writer, its standby, the upload parser: `manage.py`
        commands, config/background.py), told apart by their command line."""
        out = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(self.proc.pid)],
            capture_output=True,
            text=True,
        ).stdout
        rows = [line.split(None, 1) for line in out.splitlines() if line.strip()]
        return [int(row[0]) for row in rows if "manage.py" not in row[-1]]

    def stop(self) -> None:
        stop_gunicorn(self.proc)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def start_gunicorn(args: list[str], port: int, env: dict, log_path: Path) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:`port` in a session of its own (so it stops with its workers)."""
    log = open(log_path, "ab")
    return subprocess.Popen(
        [str(Path(PY).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def stop_gunicorn(proc: subprocess.Popen | None) -> None:
    """SIGTERM (gunicorn's graceful stop), then a kill after 40 s."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def answers(proc: subprocess.Popen, port: int, path: str, statuses: tuple, timeout: float) -> bool:
    """Whether the server answers `path` with one of `statuses` within 90 s while it runs."""
    deadline = time.time() + 90
    while time.time() < deadline and proc.poll() is None:
        try:
            status, _, _ = request(port, "GET", path, timeout=timeout)
            if status in statuses:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _proc_cpu(pid: int, children_too: bool = False) -> float:
    """CPU seconds of a process (and of its children it has reaped), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children_too:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of a process tree: the root, its live descendants and those it reaped
    (a worker recycled by max_requests still counts)."""
    total = _proc_cpu(root, children_too=True)
    pending = [root]
    while pending:
        pid = pending.pop()
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
        ).stdout
        for child in map(int, out.split()):
            total += _proc_cpu(child)
            pending.append(child)
    return total


class CachingProxy:
    """nginx with config/nginx.conf in front of the archive: a temp folder holds the config
    (the repository's file with its cache path, upstream and listen address rewritten), the
    cache, the temp files, the pid and the log."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="archive-nginx-"))
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("nginx is not installed (apt-get install nginx-light)")
        site = (ROOT / "config" / "nginx.conf").read_text(encoding="utf-8")
        site = (
            site.replace("/var/cache/nginx/archive", str(self.folder / "cache"))
            .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{self.upstream_port};")
            .replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{self.port};")
        )
        (self.folder / "archive.conf").write_text(site, encoding="utf-8")
        temps = ["cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        for name in temps:
            (self.folder / name).mkdir()
            # nginx's workers run as nobody when started by root: they write the cache.
            os.chmod(self.folder / name, 0o777)
        os.chmod(self.folder, 0o755)
        f = self.folder
        (f / "nginx.conf").write_text(
            f"""
worker_processes 1;
pid {f}/nginx.pid;
error_log {f}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {f}/client_body;
    proxy_temp_path {f}/proxy;
    fastcgi_temp_path {f}/fastcgi;
    uwsgi_temp_path {f}/uwsgi;
    scgi_temp_path {f}/scgi;
    include {f}/archive.conf;
}}
""",
            encoding="utf-8",
        )
        self.proc = subprocess.Popen(
            [nginx, "-p", str(f), "-c", str(f / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 20
        while time.time() < deadline and self.proc.poll() is None:
            try:
                request(self.port, "GET", "/healthz", timeout=5)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("nginx did not start: " + (f / "error.log").read_text(errors="replace"))

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        shutil.rmtree(self.folder, ignore_errors=True)


class BaselineServer:
    """haystack's default search page (bench/haystack_baseline: its stock SearchView and
    Whoosh backend, jieba's ChineseAnalyzer) over the archive's own section documents, served
    by gunicorn with as many workers as the archive: the load test's baseline. The index is
    written once per archive folder (bench.bench_search.default_haystack_build) and kept."""

    def __init__(self, archive: Archive, workers: int):
        self.archive, self.workers = archive, workers
        self.port = free_port()
        self.index = archive.folder / "haystack-baseline"
        self.proc: subprocess.Popen | None = None
        self.build_info: dict = {}

    def build(self) -> None:
        done = self.index / "built.json"  # written last: a build killed midway is redone
        if done.exists():
            self.build_info = json.loads(done.read_text())
            return
        shutil.rmtree(self.index, ignore_errors=True)
        out = subprocess.run(
            [PY, str(ROOT / "bench" / "haystack_baseline" / "build.py"), str(self.index)],
            cwd=ROOT,
            env=self.archive.env,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise SystemExit(f"the haystack baseline index failed:\n{out.stderr[-3000:]}")
        self.build_info = json.loads(out.stdout.strip().splitlines()[-1])
        done.write_text(json.dumps(self.build_info))

    def start(self) -> None:
        env = {
            **self.archive.env,
            "DJANGO_SETTINGS_MODULE": "bench.haystack_baseline.settings",
            "ARCHIVE_BASELINE_INDEX": str(self.index),
        }
        self.proc = start_gunicorn(
            ["--workers", str(self.workers), "--timeout", "120", "bench.haystack_baseline.wsgi"],
            self.port,
            env,
            self.archive.folder / "gunicorn-baseline.log",
        )
        if not answers(self.proc, self.port, "/search/?q=x", (200,), timeout=30):
            self.stop()
            raise SystemExit("the haystack baseline did not answer: see gunicorn-baseline.log")

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        stop_gunicorn(self.proc)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 60,
) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


class StaffSession:
    """A logged-in editor over plain http.client: cookies and the CSRF token by hand."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, headers: dict) -> None:
        raw = headers.get("set-cookie", "")
        for m in re.finditer(r"(csrftoken|sessionid)=([^;]+)", raw):
            self.cookies[m.group(1)] = m.group(2)

    def login(self) -> None:
        status, headers, body = request(self.port, "GET", "/admin/login/")
        self._keep(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": STAFF_USER,
                "password": STAFF_PASSWORD,
                "next": "/admin/",
            }
        ).encode()
        status, headers, _ = request(
            self.port,
            "POST",
            "/admin/login/",
            form,
            {
                **self._cookie_header(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/admin/login/",
            },
        )
        self._keep(headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"staff login failed ({status})")

    def upload(self, name: str, data: bytes) -> tuple[int, dict, bytes]:
        with self.lock:
            if "csrftoken" not in self.cookies:
                self.login()
        status, headers, body = request(self.port, "GET", "/upload/", headers=self._cookie_header())
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        boundary = f"----load{random.getrandbits(64):x}"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token.group(1).decode() if token else ''}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="publish"\r\n\r\non\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n".encode()
            + data
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return request(
            self.port,
            "POST",
            "/upload/",
            b"".join(parts),
            {
                **self._cookie_header(),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": f"http://127.0.0.1:{self.port}/upload/",
            },
        )


class LoadRunner:
    """`clients` threads sending a weighted mix of requests until `duration` seconds pass."""

    MIX = [("search", 30), ("grid", 10), ("report", 25), ("api", 25), ("browse", 8), ("upload", 2)]
    # The searches alone: what the archive's search page and haystack's default one both serve.
    SEARCH_ONLY = [("search", 1)]

    def __init__(
        self,
        port: int,
        clients: int,
        duration: float,
        max_uploads: int = 20,
        seed: int = 1,
        *,
        mix: list[tuple[str, int]] | None = None,
        search_path: str = "/",
    ):
        self.port, self.clients, self.duration = port, clients, duration
        self.mix = mix or self.MIX
        self.search_path = search_path
        self.max_uploads = max_uploads
        self.rng = random.Random(seed)
        self.samples: list[tuple[float, str, int, float]] = []  # (t, kind, status, seconds)
        self.errors: list[str] = []
        self.searchable: list[float] = []  # seconds from upload to found by the API
        self.cache_statuses: dict[str, int] = defaultdict(int)  # nginx's X-Cache-Status
        self.lock = threading.Lock()
        self.uploads = 0
        self.report_urls: list[str] = []
        self.staff = StaffSession(port)
        self.stop_event = threading.Event()
        self.t0 = 0.0

    def discover(self) -> None:
        status, _, body = request(self.port, "GET", "/reports/")
        self.report_urls = sorted(set(re.findall(r'href="(/r/[0-9a-z]{8}/)"', body.decode())))
        if not self.report_urls:
            self.report_urls = sorted(set(re.findall(r'href="(/reports/[^"]+/)"', body.decode())))
        if not self.report_urls:
            raise SystemExit("no report links on /reports/: is the archive prepared?")

    def pick(self, rng: random.Random) -> tuple[str, str, str]:
        kind = rng.choices([k for k, _ in self.mix], [w for _, w in self.mix])[0]
        q = rng.choice(QUERIES)
        if kind == "upload" and not self._take_upload():
            kind = "search"
        if kind == "upload":
            return kind, "POST", "/upload/"
        return kind, "GET", self.PATHS[kind](self, rng, q)

    def _take_upload(self) -> bool:
        with self.lock:
            if self.uploads >= self.max_uploads:
                return False
            self.uploads += 1
            return True

    def _search_path(self, rng: random.Random, q: str) -> str:
        params = {"q": q}
        if place := rng.choice(PLACES):
            params["place"] = place
        if rng.random() < 0.3:
            params["page"] = rng.randint(1, 3)
        return self.search_path + "?" + urlencode(params)

    def _grid_path(self, rng: random.Random, q: str) -> str:
        return "/search/?" + urlencode({"q": q, "view": "grid"})

    def _report_path(self, rng: random.Random, q: str) -> str:
        url = rng.choice(self.report_urls)
        return url + ("?" + urlencode({"hl": q}) if rng.random() < 0.5 else "")

    def _api_path(self, rng: random.Random, q: str) -> str:
        params = {"q": q}
        if rng.random() < 0.3:
            params["year_from"], params["year_to"] = 2010, 2022
        return "/api/search?" + urlencode(params)

    def _browse_path(self, rng: random.Random, q: str) -> str:
        return rng.choice(["/reports/", "/healthz", "/search/help/"])

    PATHS = {
        "search": _search_path,
        "grid": _grid_path,
        "report": _report_path,
        "api": _api_path,
        "browse": _browse_path,
    }

    def client(self, n: int) -> None:
        rng = random.Random(self.rng.random() + n)
        while not self.stop_event.is_set() and time.perf_counter() - self.t0 < self.duration:
            kind, method, path = self.pick(rng)
            start = time.perf_counter()
            published = None
            try:
                if kind == "upload":
                    i = self.uploads
                    token = f"{n}-{i}-{time.time_ns()}"
                    data = (
                        f"天津市和平区{2000 + i % 20}年政府工作报告（负载测试上传 {token}）"
                        f"\n\n一、工作回顾\n\n城镇新增就业{i + 1}万人，"
                        f"营商环境持续优化。\n"
                    ).encode()
                    status, _, _ = self.staff.upload(f"load-{n}-{i}.txt", data)
                    published = token if status < 400 else None
                else:
                    status, headers, _ = request(self.port, method, path)
                    if "x-cache-status" in headers:
                        with self.lock:
                            self.cache_statuses[headers["x-cache-status"]] += 1
            except Exception as e:  # a refused or reset connection is an error of the run
                status = 0
                with self.lock:
                    self.errors.append(f"{kind} {path[:60]}: {type(e).__name__}: {e}")
            elapsed = time.perf_counter() - start
            with self.lock:
                self.samples.append((start - self.t0, kind, status, elapsed))
                if status >= 500:
                    self.errors.append(f"{kind} {path[:60]}: HTTP {status}")
            if published:  # this client now waits, as an editor would, to find the upload
                self.wait_searchable(published, start)

    def wait_searchable(self, token: str, since: float, limit: float = 60.0) -> None:
        """Upload-to-searchable: poll the API for the upload's unique token until it is found
        (the upload was published: it must be searchable in the next request or soon after).
        The polls go to `self.port`: through nginx in a --proxy run, so the figure includes
        the proxy's copies of the "not found yet" answer (its max-age and stale window)."""
        path = "/api/search?" + urlencode({"q": f'"{token}"'})
        while time.perf_counter() - since < limit:
            status, _, body = request(self.port, "GET", path)
            if status == 200 and json.loads(body).get("count", 0) >= 1:
                with self.lock:
                    self.searchable.append(time.perf_counter() - since)
                return
            time.sleep(0.2)
        with self.lock:
            self.errors.append(f"upload {token} not searchable within {limit:.0f} s")

    def warm_up(self, workers: int) -> None:
        """Each worker loads jieba and opens the index on its first search: not what a
        steady state costs, so it happens before the clock starts."""

        path = "/api/search" if self.mix is self.MIX else self.search_path

        def one(i: int) -> None:
            try:
                request(self.port, "GET", path + "?" + urlencode({"q": QUERIES[i % 5]}))
            except OSError:
                pass

        threads = [threading.Thread(target=one, args=(i,)) for i in range(workers * 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def run(self, warm_workers: int = 4, prepared: bool = False) -> dict:
        if not prepared:
            self.discover()
            self.staff.login()
            self.warm_up(warm_workers)
        self.t0 = time.perf_counter()
        threads = [
            threading.Thread(target=self.client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return self.summary(time.perf_counter() - self.t0)

    def summary(self, wall: float) -> dict:
        by_kind: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, int] = defaultdict(int)
        for _, kind, status, secs in self.samples:
            by_kind[kind].append(secs)
            statuses[str(status)] += 1
        every = [s for _, _, _, s in self.samples]
        return {
            "requests": len(self.samples),
            "seconds": round(wall, 1),
            "rps": round(len(self.samples) / wall, 1) if wall else 0.0,
            "overall": percentiles(every),
            "by_kind": {k: {"n": len(v), **percentiles(v)} for k, v in sorted(by_kind.items())},
            "statuses": dict(sorted(statuses.items())),
            "errors": len(self.errors),
            "error_samples": self.errors[:10],
            "uploads": self.uploads,
            "clients": self.clients,
            "upload_to_searchable": percentiles(self.searchable),
            # The promise, direct and through the proxy (the polls go through it in --proxy
            # runs): a publish is found within PUBLISH_VISIBLE_SECONDS.
            "searchable_in_time": [
                sum(1 for s in self.searchable if s <= PUBLISH_VISIBLE_SECONDS),
                len(self.searchable),
            ],
        }


def idle_upload_to_searchable(port: int, n: int) -> list[float]:
    """Upload-to-searchable without load: `n` published uploads one after another, each timed
    from the POST until the API finds it (the background worker parses it, the index writer
    or the request applies it)."""
    runner = LoadRunner(port, clients=1, duration=0, max_uploads=n)
    for i in range(n):
        token = f"idle-{i}-{time.time_ns()}"
        data = (
            f"天津市河西区{2000 + i}年政府工作报告（空闲时上传 {token}）"
            f"\n\n一、工作回顾\n\n地区生产总值增长6.5%，营商环境持续优化。\n"
        ).encode()
        start = time.perf_counter()
        status, _, _ = runner.staff.upload(f"idle-{i}.txt", data)
        if status < 400:
            runner.wait_searchable(token, start)
    if runner.errors:
        print("  idle uploads: " + "; ".join(runner.errors[:3]))
    return runner.searchable


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    if len(values) == 1:
        v = values[0] * 1000
        return {"p50_ms": v, "p95_ms": v, "p99_ms": v, "max_ms": v}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def print_summary(title: str, s: dict) -> None:
    o = s["overall"]
    print(
        f"\n{title}: {s['requests']} requests in {s['seconds']} s from {s['clients']} clients"
        f" = {s['rps']} requests/s; errors: {s['errors']}"
    )
    print(
        f"  overall   p50 {o['p50_ms']:8.1f} ms  p95 {o['p95_ms']:8.1f} ms  "
        f"p99 {o['p99_ms']:8.1f} ms  max {o['max_ms']:8.1f} ms"
    )
    for kind, k in s["by_kind"].items():
        print(
            f"  {kind:<9} n={k['n']:<6} p50 {k['p50_ms']:8.1f} ms  p95 {k['p95_ms']:8.1f} ms  "
            f"p99 {k['p99_ms']:8.1f} ms"
        )
    print(f"  statuses: {s['statuses']}  uploads: {s['uploads']}")
    if s.get("cpu_ms_per_request") is not None:
        print(
            f"  CPU per request (every server process: gunicorn, writer, nginx): "
            f"{s['cpu_ms_per_request']:.1f} ms"
        )
    if s.get("client_cpu_ms_per_request") is not None:
        print(
            f"  load generator's own CPU: {s['client_cpu_ms_per_request']:.1f} ms per request "
            f"({s['client_cores']} of the cores); {s['uptime']}"
        )
    if statuses := s.get("cache_statuses"):
        seen = max(1, sum(statuses.values()))
        hits = statuses.get("HIT", 0)
        # STALE and UPDATING are answered from the cache's copy too (stale-while-revalidate).
        copies = hits + statuses.get("STALE", 0) + statuses.get("UPDATING", 0)
        print(
            f"  nginx cache: {dict(statuses)} ({hits / seen:.0%} hits; "
            f"{copies / seen:.0%} answered from the cache without waiting for Django)"
        )
    for key, when in (
        ("upload_to_searchable_idle", "without load"),
        ("upload_to_searchable", "under the load"),
    ):
        u = s.get(key)
        if u and u["max_ms"]:
            print(
                f"  upload to searchable {when} (published upload until the API finds it): "
                f"p50 {u['p50_ms'] / 1000:.1f} s  p95 {u['p95_ms'] / 1000:.1f} s  "
                f"max {u['max_ms'] / 1000:.1f} s"
            )
    if in_time := s.get("searchable_in_time"):
        print(
            f"  found within {PUBLISH_VISIBLE_SECONDS} s of the upload under the load: "
            f"{in_time[0]} of {in_time[1]}"
        )
    for e in s["error_samples"]:
        print(f"  error: {e}")


def measured_run(
    archive: Archive,
    port: int,
    clients: int,
    duration: float,
    args,
    proxy: CachingProxy | None = None,
) -> dict:
    """One timed load against `port` (gunicorn's, or nginx's in front of it), with the CPU
    every server process spent on it per request."""
    runner = LoadRunner(port, clients, duration, max_uploads=args.uploads)
    runner.discover()
    runner.staff.login()
    runner.warm_up(args.workers)

    def cpu() -> float:
        return tree_cpu_seconds(archive.proc.pid) + (proxy.cpu_seconds() if proxy else 0.0)

    before, client_before = cpu(), time.process_time()
    summary = runner.run(args.workers, prepared=True)
    spent, client_spent = cpu() - before, time.process_time() - client_before
    summary["cpu_ms_per_request"] = round(spent * 1000 / max(1, summary["requests"]), 1)
    add_client_cpu(summary, client_spent)
    if proxy is not None:
        summary["cache_statuses"] = dict(sorted(runner.cache_statuses.items()))
    return summary


def add_client_cpu(summary: dict, seconds: float) -> None:
    """The load generator's own CPU: its threads run on the same cores as the server, so a
    requests/s figure is honest only beside what sending the requests cost."""
    summary["client_cpu_ms_per_request"] = round(seconds * 1000 / max(1, summary["requests"]), 1)
    summary["client_cores"] = round(seconds / max(0.001, summary["seconds"]), 2)
    summary["uptime"] = os.popen("uptime").read().strip()


def searches_only(port: int, search_path: str, cpu, clients: int, duration: float, args) -> dict:
    """The load's searches alone (the same queries, places and pages, the same seed) against
    one search page; CPU per request from `cpu()`, the serving processes' seconds."""
    runner = LoadRunner(
        port,
        clients,
        duration,
        max_uploads=0,
        mix=LoadRunner.SEARCH_ONLY,
        search_path=search_path,
    )
    runner.warm_up(args.workers)
    before, client_before = cpu(), time.process_time()
    summary = runner.run(args.workers, prepared=True)
    spent, client_spent = cpu() - before, time.process_time() - client_before
    summary["cpu_ms_per_request"] = round(spent * 1000 / max(1, summary["requests"]), 1)
    add_client_cpu(summary, client_spent)
    return summary


def baseline_comparison(archive: Archive, clients: int, duration: float, args) -> dict:
    """The same search load against the archive's search page and haystack's default one."""
    baseline = BaselineServer(archive, args.workers)
    baseline.build()
    ours = searches_only(
        archive.port, "/", lambda: tree_cpu_seconds(archive.proc.pid), clients, duration, args
    )
    baseline.start()
    try:
        theirs = searches_only(
            baseline.port, "/search/", baseline.cpu_seconds, clients, duration, args
        )
    finally:
        baseline.stop()
    return {
        "ours": ours,
        "haystack_default": theirs,
        "build": baseline.build_info,
        "rps_ratio": round(ours["rps"] / theirs["rps"], 2) if theirs["rps"] else None,
    }


def print_baseline(b: dict) -> None:
    print_summary("searches only, the archive's search page (/)", b["ours"])
    print_summary(
        "searches only, haystack's default SearchView (Whoosh + jieba ChineseAnalyzer)",
        b["haystack_default"],
    )
    ours, theirs = b["ours"], b["haystack_default"]
    print(
        f"\nbaseline ratio (archive / haystack default, same searches, same clients): "
        f"{b['rps_ratio']}x requests/s; p95 {ours['overall']['p95_ms']:.0f} vs "
        f"{theirs['overall']['p95_ms']:.0f} ms; CPU/request {ours['cpu_ms_per_request']} vs "
        f"{theirs['cpu_ms_per_request']} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the full run: 3 minutes, 50 clients")
    parser.add_argument("--duration", type=float, help="seconds of load (quick: 60, full: 180)")
    parser.add_argument("--clients", type=int, help="concurrent clients (quick: 16, full: 50)")
    parser.add_argument(
        "--reports",
        type=int,
        default=40,
        help="reports in the prepared archive (seeds + synthetic; default 40)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--uploads", type=int, default=20, help="most uploads during the run")
    parser.add_argument(
        "--idle-uploads",
        type=int,
        default=10,
        help="uploads timed one by one before the load starts (default 10)",
    )
    parser.add_argument(
        "--bulk-reports",
        type=int,
        default=0,
        help="more synthetic reports stored directly, not through the "
        "pipeline (the 10,000-report run: --bulk-reports 10000)",
    )
    parser.add_argument(
        "--reuse",
        metavar="FOLDER",
        help="serve an archive prepared earlier in FOLDER (prepared if empty); "
        "a folder from bench_search.py --folder works too",
    )
    parser.add_argument("--keep", action="store_true", help="keep the archive folder afterwards")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="then the same load again through nginx's cache (config/nginx.conf)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="then the load's searches alone against the archive's search page and against "
        "haystack's default one (bench/haystack_baseline), and their ratio",
    )
    parser.add_argument(
        "--baseline-duration",
        type=float,
        help="seconds of each baseline load (default: --duration)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    args = parser.parse_args(argv)
    duration = args.duration or (180 if args.full else 60)
    clients = args.clients or (50 if args.full else 16)

    folder = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="archive-load-"))
    archive = Archive(folder, workers=args.workers)
    db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    try:
        prep = {}
        prepared = (folder / "static").exists() or (
            db == "sqlite" and (folder / "archive.sqlite3").exists()
        )
        if not prepared or not args.reuse:
            if not args.json:
                print(
                    f"preparing {args.reports} + {args.bulk_reports} reports in {folder} "
                    f"({db}) ...",
                    flush=True,
                )
            prep = archive.prepare(args.reports, bulk=args.bulk_reports)
        else:
            archive.refresh()
            archive.ensure_staff()
        archive.start()
        idle = idle_upload_to_searchable(archive.port, args.idle_uploads)
        summary = measured_run(archive, archive.port, clients, duration, args)
        summary["upload_to_searchable_idle"] = percentiles(idle)
        if args.proxy:
            proxy = CachingProxy(archive.port)
            proxy.start()
            try:
                summary["proxied"] = measured_run(
                    archive, proxy.port, clients, duration, args, proxy=proxy
                )
            finally:
                proxy.stop()
        if args.baseline:
            summary["baseline"] = baseline_comparison(
                archive, clients, args.baseline_duration or duration, args
            )
        _, _, health = request(archive.port, "GET", "/healthz")
        summary.update(
            prep,
            database=db,
            workers=args.workers,
            reports=archive.published_reports(),
            health=json.loads(health),
        )
    finally:
        archive.stop()
        if not args.keep and not args.reuse:
            shutil.rmtree(folder, ignore_errors=True)
    if not args.json:
        print_summary(
            f"load test ({db}, {args.workers} gunicorn workers, "
            f"{summary['reports']} published reports)",
            summary,
        )
        if "proxied" in summary:
            print_summary(
                "the same load through nginx proxy_cache (config/nginx.conf)", summary["proxied"]
            )
        if "baseline" in summary:
            print_baseline(summary["baseline"])
    print("LOAD_JSON " + json.dumps(summary, ensure_ascii=False))
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Settings of the district report archive.

Everything that differs between a laptop and a deployment comes from the environment, read by
the small typed helpers below; a bad value stops start-up with ImproperlyConfigured instead of
being guessed at. The defaults give the embedded set-up: SQLite and a Whoosh index under var/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value >= 0:
        raise ImproperlyConfigured(f"{name} must be zero or more, not {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A rate limit like "60/m" (per second, minute, hour or day)."""
    raw = os.environ.get(name) or default
    if not re.fullmatch(r"\d+/\d*[smhd]", raw):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 60/m (per s, m, h or d), not {raw!r}"
        )
    return raw


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("ARCHIVE_ALLOW_DEV_SECRET", True):
        # Good enough for the embedded set-up on one machine; a deployment sets SECRET_KEY and
        # ARCHIVE_ALLOW_DEV_SECRET=false so that a forgotten secret stops start-up.
        SECRET_KEY = "dev-only-not-secret-district-report-archive"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where the archive keeps what it writes: originals, the index, the SQLite file.
VAR_DIR = Path(env_str("ARCHIVE_VAR_DIR", str(BASE_DIR / "var")))
MEDIA_ROOT = Path(env_str("ARCHIVE_MEDIA_DIR", str(VAR_DIR / "media")))
WHOOSH_INDEX_DIR = Path(env_str("ARCHIVE_INDEX_DIR", str(VAR_DIR / "whoosh_index")))
# Built permalink registries, one file per data version (archive.registry).
ARCHIVE_REGISTRY_DIR = Path(env_str("ARCHIVE_REGISTRY_DIR", str(VAR_DIR / "registry")))
# The embedded set-up must work from a fresh clone: make the folder its SQLite file lives in.
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "django_ratelimit",
    "haystack",
    "archive",
    "search",
    "feeds",
    "explorer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that may set a cookie or read the session: it sees the final response
    # and makes anything a session shaped private, whatever the view's cache policy said.
    "config.http_cache.PrivatePagesMiddleware",
    # HTML compressed (report pages shrink to a fifth). Before the middleware that write the
    # body; Django pads each compressed response with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    # Inside the compression: bidi and zero-width characters from uploaded text are shown as
    # visible marks in every page before the page is compressed.
    "config.visible_controls.VisibleControlsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and auth: a limited client costs one cache increment, nothing more.
    "config.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the exceptions views raise: a database or index outage is a
    # clear 503 with Retry-After, never a bare 500.
    "config.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection is checked before reuse, so that a restarted PostgreSQL
        # server costs no failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: WAL lets readers go on while an editor
    # writes, and the timeout makes a writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ARCHIVE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "ARCHIVE_STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

LOGIN_URL = "/admin/login/"

# Uploads: originals are kept byte for byte, so nothing larger than this is accepted.
ARCHIVE_MAX_UPLOAD_BYTES = env_int("ARCHIVE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# Uploads are parsed by the background worker (process_uploads --loop, started with gunicorn);
# true parses them in the upload request instead (a set-up without the worker; the tests).
ARCHIVE_UPLOAD_INLINE = env_bool("ARCHIVE_UPLOAD_INLINE", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": env_str("ARCHIVE_SEARCH_ENGINE", "search.whoosh_backend.JiebaWhooshEngine"),
        "PATH": str(WHOOSH_INDEX_DIR),
    },
}
# Beyond one machine the index moves to Elasticsearch through haystack's engine, chosen here
# alone: ARCHIVE_SEARCH_ENGINE=search.opensearch_backend.JiebaElasticsearchEngine
# ARCHIVE_SEARCH_URL=http://host:9200 (docs/scaling.md; search.engines picks the query
# module from the engine class). Documents are tokenised in Python whatever the engine.
if env_str("ARCHIVE_SEARCH_URL", ""):
    # Several nodes of a cluster, comma-separated: the client spreads requests over them and
    # moves away from a node that stops answering.
    _search_urls = [u.strip() for u in env_str("ARCHIVE_SEARCH_URL", "").split(",") if u.strip()]
    HAYSTACK_CONNECTIONS["default"].update(
        URL=_search_urls[0] if len(_search_urls) == 1 else _search_urls,
        INDEX_NAME=env_str("ARCHIVE_SEARCH_INDEX_NAME", "district_reports"),
        TIMEOUT=env_int("ARCHIVE_SEARCH_TIMEOUT", 10),
    )
# The index is updated by search.indexing from a queue, never from save signals in web
# workers (Whoosh takes one writer at a time): keep haystack's own signal processor inert.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# The single index writer (search.indexing). A web request that committed a change tries to
# apply it itself but waits at most SEARCH_APPLY_TIMEOUT for the index lock: a busy writer
# must never make an editor wait, and the background writer (started with gunicorn by
# config/gunicorn.conf.py, or by a unit of its own) applies whatever is left within
# SEARCH_WRITER_POLL_SECONDS of the lock coming free. A change pending longer than
# SEARCH_STALENESS_BOUND_SECONDS turns /healthz into a 503 naming the cause.
SEARCH_APPLY_TIMEOUT = env_float("ARCHIVE_INDEX_REQUEST_LOCK_WAIT", 0.1)
SEARCH_WRITER_POLL_SECONDS = env_float("ARCHIVE_INDEX_WRITER_POLL", 0.5)
SEARCH_STALENESS_BOUND_SECONDS = env_float("ARCHIVE_INDEX_STALENESS_BOUND", 10.0)
# After failures the writer retries with a doubling back-off, never longer apart than this.
SEARCH_WRITER_MAX_BACKOFF_SECONDS = env_float("ARCHIVE_INDEX_WRITER_MAX_BACKOFF", 30.0)
# A request applies the index changes it committed itself (on_commit, within
# SEARCH_APPLY_TIMEOUT). Off, every change waits for the background writer; bulk imports
# defer it for their own duration either way (search.indexing.deferred_apply).
SEARCH_APPLY_ON_COMMIT = env_bool("ARCHIVE_INDEX_APPLY_ON_COMMIT", True)
# Editors' own jieba word lists, comma-separated paths, beside the curated
# search/data/userdict.txt (one word a line, optionally "word freq tag"); a rebuild applies
# them to ranking (search.apps).
SEARCH_USER_DICTS = env_list("ARCHIVE_SEARCH_USER_DICTS", [])
# The word tokenizer for ranking: auto (rjieba when installed), jieba or rjieba. Both make
# the same words from the same dictionary; a change calls for rebuild_search_index.
SEARCH_TOKENIZER = env_str("SEARCH_TOKENIZER", "auto")
# Background compaction by the idle writer (search.compaction): segments are merged FAN_IN at a
# time within a tier, segments of MAX_DOCS documents or more count as large and are left
# alone, and files of merged-away segments are kept RETAIN_SECONDS for readers that may still
# open them (longer than any request lasts: gunicorn's timeout). Once the index has seen no
# commit for SWEEP_IDLE_SECONDS, the small segments the tiers leave are merged into one.
SEARCH_COMPACT_FAN_IN = 8
SEARCH_COMPACT_MAX_DOCS = 2000
SEARCH_COMPACT_SWEEP_IDLE_SECONDS = 20.0
SEARCH_SEGMENT_RETAIN_SECONDS = 300.0
# Per-request index checks read the index folder's listing kept while the folder's mtime is
# unchanged (search.index_folder); off for a file system that caches directory attributes
# (NFS), where a new mtime may be seen late.
SEARCH_KEEP_FOLDER_LISTING = env_bool("ARCHIVE_SEARCH_KEEP_FOLDER_LISTING", True)

# --- Serving behind HTTPS (ARCHIVE_HTTPS=true in a deployment) ------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
ARCHIVE_HTTPS = env_bool("ARCHIVE_HTTPS", False)
SECURE_SSL_REDIRECT = ARCHIVE_HTTPS
SESSION_COOKIE_SECURE = ARCHIVE_HTTPS
CSRF_COOKIE_SECURE = ARCHIVE_HTTPS
SECURE_HSTS_SECONDS = env_int("ARCHIVE_HSTS_SECONDS", 31536000) if ARCHIVE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ARCHIVE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ARCHIVE_HSTS_PRELOAD", True)
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("ARCHIVE_BEHIND_PROXY", False):
    # Only behind a proxy that sets (and never forwards a client's own) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): pages load only same-origin CSS, JS, images and fonts;
# no inline script or style, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Cache: search results (keyed by the index version, search.cache) and rate limits --------
# The embedded default is a folder shared by every gunicorn worker on the machine. Several
# hosts share one Redis instead: ARCHIVE_CACHE_URL=redis://host:6379/1 (pip install redis).
ARCHIVE_CACHE_URL = env_str("ARCHIVE_CACHE_URL", "")
if ARCHIVE_CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ARCHIVE_CACHE_URL,
        }
    }
elif ARCHIVE_CACHE_URL == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            # Django's file cache, counting its files less often (search.cache.FileCache).
            "BACKEND": "search.cache.FileCache",
            "LOCATION": ARCHIVE_CACHE_URL or str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": env_int("ARCHIVE_CACHE_MAX_ENTRIES", 20000)},
        }
    }
# Seconds a search result may be reused; the key carries the index version, so a publish is
# never hidden by it. 0 turns the search cache off.
ARCHIVE_SEARCH_CACHE_SECONDS = env_int("ARCHIVE_SEARCH_CACHE_SECONDS", 600)
# A commitments download (explorer.downloads) larger than this many bytes is streamed and not
# kept in the cache; smaller ones are cached per query and data version.
ARCHIVE_DOWNLOAD_CACHE_MAX_BYTES = 8 * 1024 * 1024
# How long a browser or a proxy may reuse a page without asking (config/http_cache.py): a
# version page (its text never changes; a withdrawal reaches caches within this time), an
# original (named by its sha256), and pages showing the archive as it is now: those only a
# few seconds, well inside the index staleness bound, so that a publish is found through a
# proxy almost as soon as without one (after that the proxy revalidates: a cheap 304).
ARCHIVE_HTTP_VERSION_MAX_AGE = env_int("ARCHIVE_HTTP_VERSION_MAX_AGE", 3600)
ARCHIVE_HTTP_SOURCE_MAX_AGE = env_int("ARCHIVE_HTTP_SOURCE_MAX_AGE", 365 * 24 * 3600)
ARCHIVE_HTTP_CURRENT_MAX_AGE = env_int("ARCHIVE_HTTP_CURRENT_MAX_AGE", 5)
# After its max-age a current page may still be served by a proxy for this many seconds while
# one request revalidates it in the background (stale-while-revalidate): readers of a popular
# page never wait on that refresh. Max-age plus this stays within the 10 s in which a publish
# is found through a proxy (config/http_cache.py cuts the window to keep it so), with a second
# left for the index.
ARCHIVE_HTTP_CURRENT_STALE_SECONDS = env_int("ARCHIVE_HTTP_CURRENT_STALE_SECONDS", 4)

# --- Rate limits (django-ratelimit, applied by path in config.middleware) --------------------
# "N/s", "N/m", "N/h"; per client address. Behind a proxy, name the header that carries the
# client's address (e.g. HTTP_X_REAL_IP) in ARCHIVE_CLIENT_IP_HEADER.
RATELIMIT_ENABLE = env_bool("ARCHIVE_RATELIMIT", True)
RATELIMIT_USE_CACHE = "default"
ARCHIVE_RATE_SEARCH = env_rate("ARCHIVE_RATE_SEARCH", "60/m")
ARCHIVE_RATE_API = env_rate("ARCHIVE_RATE_API", "120/m")
ARCHIVE_RATE_LOGIN = env_rate("ARCHIVE_RATE_LOGIN", "10/m")
# The trend page reads the stored text of every matching section, and the permalink registry
# covers every paragraph of every version: the expensive public pages have a budget of their own.
ARCHIVE_RATE_EXPENSIVE = env_rate("ARCHIVE_RATE_EXPENSIVE", "20/m")
ARCHIVE_CLIENT_IP_HEADER = env_str("ARCHIVE_CLIENT_IP_HEADER", "REMOTE_ADDR")
if CACHES["default"]["BACKEND"].endswith(("FileCache", "LocMemCache", "RedisCache")):
    # django-ratelimit asks for memcached or django-redis. Django's own Redis backend
    # increments atomically; the file cache may lose an increment when two workers race,
    # which makes a limit approximate, not absent: good enough for one machine.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Searches and editorial actions are logged as one JSON object a line (config.observability)
# on the "archive.search" and "archive.editorial" loggers; LOG_FORMAT=json makes every other
# log line JSON too.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        },
        "events": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "archive.search": {"handlers": ["events"], "level": "INFO", "propagate": False},
        "archive.editorial": {"handlers": ["events"], "level": "INFO", "propagate": False},
    },
}

"""Middleware that keeps the public archive standing: rate limits and clear 503s.

RateLimitMiddleware applies the limits by path, so that the search pages, the JSON API and the
admin login are limited without each view having to remember a decorator; the counting is
django-ratelimit's (a cache increment per request and client address).

ServiceUnavailableMiddleware turns a database that is down or restarting, or a search index
that cannot be read, into a 503 with Retry-After and a message in Chinese and English: the
client learns to come back, the log says what broke, and nobody sees a bare 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import is_ratelimited

log = logging.getLogger(__name__)

RATE_LIMITED_MESSAGE = (
    "请求过于频繁，请稍后再试。Too many requests: please wait a moment and try again."
)
DATABASE_DOWN_MESSAGE = "数据库暂时不可用，请稍后再试。The database is temporarily unavailable: please try again shortly."
INDEX_DOWN_MESSAGE = "搜索索引暂时不可用，请稍后再试。The search index is temporarily unavailable: please try again shortly."


@dataclass(frozen=True)
class Limit:
    group: str
    pattern: re.Pattern[str]
    setting: str  # name of the setting that holds the rate, read per request (tests change it)
    methods: tuple[str, ...] = ("GET", "HEAD", "POST")


LIMITS = (
    # The search page is the site's front page and /search/ its longer name.
    Limit("search", re.compile(r"^/(search/)?$"), "ARCHIVE_RATE_SEARCH", ("GET", "HEAD")),
    Limit("api", re.compile(r"^/api/"), "ARCHIVE_RATE_API"),
    # Expensive pages anyone can ask for: the keyword trend (and its CSV), every hit as CSV,
    # the registry, and the commitments downloads (every row of a filter, with its sentence
    # and permalink).
    Limit(
        "expensive",
        re.compile(
            r"^/(search/trend/|search/hits\.csv$|permalinks\.(csv|json)$"
            r"|commitments(/pivot)?\.(csv|json|dta|parquet)$)"
        ),
        "ARCHIVE_RATE_EXPENSIVE",
        ("GET", "HEAD"),
    ),
    # Only attempts count: showing the login form is free.
    Limit("login", re.compile(r"^/admin/login/$"), "ARCHIVE_RATE_LOGIN", ("POST",)),
)


def client_address(group: str, request: HttpRequest) -> str:
    """The client's address, from the header a trusted proxy sets (ARCHIVE_CLIENT_IP_HEADER)."""
    header = getattr(settings, "ARCHIVE_CLIENT_IP_HEADER", "REMOTE_ADDR")
    value = request.META.get(header) or request.META.get("REMOTE_ADDR") or "unknown"
    # X-Forwarded-For may list a chain: the proxy appends the address it saw last.
    return value.split(",")[-1].strip()


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def plain_error(
    request: HttpRequest, status: int, message: str, *, retry_after: int
) -> HttpResponse:
    """A small error answer that needs no database: JSON for the API, else the site's error
    page (config.errors, with a bare fallback should the template fail)."""
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": message, "status": status},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        from config.errors import error_page  # the site's layout, rendered without the database

        response = error_page(status, message, retry_after=retry_after)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for limit in LIMITS:
            if request.method in limit.methods and limit.pattern.match(request.path_info):
                rate = getattr(settings, limit.setting)
                if is_ratelimited(
                    request,
                    group=limit.group,
                    key=client_address,
                    rate=rate,
                    method=limit.methods,
                    increment=True,
                ):
                    log.warning(
                        "rate limited: group=%s client=%s path=%s",
                        limit.group,
                        client_address(limit.group, request),
                        request.path_info,
                    )
                    return plain_error(
                        request, 429, RATE_LIMITED_MESSAGE, retry_after=_period_seconds(rate)
                    )
                break
        return self.get_response(request)


def _period_seconds(rate: str) -> int:
    _, _, period = rate.partition("/")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]]
    return int(period[:-1] or 1) * unit


INDEX_MODULES = ("whoosh.", "search.recall")


def is_index_error(exc: BaseException) -> bool:
    """An exception raised while opening or reading the index: one of Whoosh's own, an index
    from an older layout, or an OSError (unreadable, missing or truncated file) or SQLite
    error raised from inside Whoosh or the recall index (search.recall)."""
    import sqlite3

    from search.indexing import IndexUnavailable

    if isinstance(exc, IndexUnavailable):
        return True
    # Whoosh's own errors, and the Elasticsearch client's (server unreachable, refused)
    if any(
        cls.__module__.split(".")[0] in ("whoosh", "elasticsearch") for cls in type(exc).__mro__
    ):
        return True
    if isinstance(exc, OSError | EOFError | ValueError | sqlite3.Error):
        tb = exc.__traceback__
        while tb is not None:
            if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(INDEX_MODULES):
                return True
            tb = tb.tb_next
    return False


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
        ):
            log.error("database unavailable on %s: %s", request.path_info, exc)
            return plain_error(request, 503, DATABASE_DOWN_MESSAGE, retry_after=5)
        if is_index_error(exc):
            log.error("search index unavailable on %s: %r", request.path_info, exc)
            return plain_error(request, 503, INDEX_DOWN_MESSAGE, retry_after=5)
        return None

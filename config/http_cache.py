"""HTTP caching: what each page tells a browser or a reverse proxy about how long it stays true.

Four kinds of page:

- **Immutable** (a version `/r/<id>/v<n>/`, its paragraph and section links, a version's
  citations, an original `/sources/<sha256>/`): a strong ETag from what the page shows and
  `Cache-Control: public, max-age=…, immutable`. A version's *text* never changes, but the
  page can still change its answer in one way: the report is withdrawn and every permalink
  answers 410. So version pages live `ARCHIVE_HTTP_VERSION_MAX_AGE` (an hour) in a cache and
  are then revalidated by ETag: a withdrawal reaches every cache within that hour (the
  docs/operations.md says how to purge nginx's cache at once), and until then a version is served
  without touching Django. Originals are named by their sha256 and stay downloadable after a
  withdrawal, so they are cached for a year.
- **Current** (`/r/<id>/`, readable links, search, the grid, the trend, `/api/search`): an
  ETag tied to the data version (the newest index change queued by a publish, correction or
  withdrawal) and the live index's version, and a short max-age. A revalidation after a
  publish costs one query and a stat; the page is rendered only when something changed.
  They also say `stale-while-revalidate`: for a few seconds past the max-age a proxy may
  answer with the copy it has while one request revalidates it in the background, so the
  readers of a popular page never queue behind that one request. Max-age plus that window is
  at most PROXY_VISIBLE_SECONDS: a publish is found through a proxy within 10 s.
- **Release** (the search help): an ETag of the release alone, and the current pages' times.
- **Private**: anything a session can change (an editor's pages carry forms with a CSRF
  token; a message after a publish is for one person) is `Cache-Control: private, no-cache`
  with `Vary: Cookie`, whatever the view asked for (`PrivatePagesMiddleware`).

Conditional requests are answered by Django's own `condition` decorator (If-None-Match,
If-Modified-Since -> 304 without running the view). Every ETag also carries the release
token (the templates' and code's files), so a deploy never answers 304 with an old layout.
GZipMiddleware weakens a strong ETag on the responses it compresses (`W/"…"`), as RFC 9110
asks (the compressed bytes are another representation); revalidation compares weakly, so the
304s work the same.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from config.observability import log_kept_searches, recording_searches
from search.cache import data_version

ROOT = Path(__file__).resolve().parent.parent
# What a page is made of besides the data: a change to any of these is a new release.
RELEASE_FOLDERS = ("templates", "archive", "search", "feeds", "config")
TOMBSTONE_MAX_AGE = 60
# The promise for current pages behind a proxy: no copy is served longer than this after
# Django rendered (or last revalidated) it, stale-while-revalidate window included.
PROXY_VISIBLE_SECONDS = 10


@functools.lru_cache(maxsize=1)
def release() -> tuple[str, datetime]:
    """A token (and a time) that changes with any template or code file: computed once per
    process, i.e. once per deploy, since a deploy restarts the workers."""
    digest = hashlib.sha256()
    newest = 0
    for folder in RELEASE_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(ROOT / folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".html", ".txt", ".xml", ".json", ".tsv")):
                    st = os.stat(os.path.join(dirpath, name))
                    digest.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
                    newest = max(newest, st.st_mtime_ns)
    return digest.hexdigest()[:16], datetime.fromtimestamp(newest / 1e9, tz=UTC)


def _tag(request: HttpRequest, *parts: object) -> str:
    """One page's ETag: the parts it depends on, plus what every page depends on."""
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_staff)
    blob = "|".join(
        str(p)
        for p in (
            release()[0],
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", ""),
            staff,
            *parts,
        )
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def cache_policy(
    *,
    etag: Callable[..., str | None],
    last_modified: Callable[..., datetime | None] | None = None,
    max_age: Callable[[], int] | int,
    stale_while_revalidate: Callable[[], int] | None = None,
    immutable: bool = False,
    keep_rendered: bool = False,
):
    """Answer conditional requests from `etag`/`last_modified` (Django's `condition`) and say
    how long the answer stays true, and (`stale_while_revalidate`) how long past that a proxy
    may still serve it while it revalidates. The functions get the view's arguments; `etag`
    returning None (e.g. no such report) leaves the view to answer as it would. With
    `keep_rendered`, an anonymous reader's page is also kept in the shared cache under its
    ETag (see `kept_by_etag`)."""

    def etag_once(request: HttpRequest, *args, **kwargs) -> str | None:
        # The wrapped view's kept page is looked up by the same ETag: computed once.
        memo = request.__dict__.setdefault("_etag_memo", {})
        if "etag" not in memo:
            memo["etag"] = etag(request, *args, **kwargs)
        return memo["etag"]

    def decorator(view):
        inner = kept_by_etag(view) if keep_rendered else view
        conditional = condition(etag_func=etag_once, last_modified_func=last_modified)(inner)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = conditional(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or response.has_header("Cache-Control"):
                return response
            seconds = max_age() if callable(max_age) else max_age
            if response.status_code in (200, 304, 301, 302):
                patch_cache_control(response, public=True, max_age=seconds)
                if stale_while_revalidate is not None and (stale := stale_while_revalidate()):
                    patch_cache_control(response, stale_while_revalidate=stale)
                if immutable:
                    patch_cache_control(response, immutable=True)
            elif response.status_code == 410:
                # A tombstone is not for ever: a restored report comes back within a minute.
                patch_cache_control(response, public=True, max_age=TOMBSTONE_MAX_AGE)
            return response

        return wrapped

    return decorator


# --- Pages kept by their ETag ------------------------------------------------------------------

# Kept pages larger than this are rendered each time (a trend CSV, a long report's page).
KEPT_MAX_BYTES = 1024 * 1024


def kept_by_etag(view):
    """The view's page for an anonymous reader, kept in the shared cache under its ETag.

    An ETag names exactly what a page shows (its validators are made for that: a 304 tells a
    browser that its copy is still right), so a page rendered once for one ETag is right for
    every request that computes the same one, in any worker: a search page whose results come
    from the results cache still costs its rendering (~35 ms, the grid's ~60 ms) without this.
    Kept only for requests with no session or message cookie and for plain 200 responses that
    set no cookie and used no CSRF token; the key adds the host and scheme (absolute links).
    The search events the view logged are kept with the page and logged again for each reader
    it is served to, so search statistics still count every reader of a popular query."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        started = time.perf_counter()
        key = _kept_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        if (kept := cache.get(key)) is not None:
            status, headers, content, searches = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            # Search statistics count readers, not renderings: one log line, no query.
            log_kept_searches(searches, (time.perf_counter() - started) * 1000)
            return response
        with recording_searches() as searches:
            response = view(request, *args, **kwargs)
        if _keepable(request, response):
            cache.set(
                key,
                (response.status_code, list(response.items()), response.content, searches),
                settings.ARCHIVE_SEARCH_CACHE_SECONDS,
            )
        return response

    return wrapped


def _kept_key(request: HttpRequest) -> str | None:
    tag = request.__dict__.get("_etag_memo", {}).get("etag")
    if (
        tag is None
        or request.method != "GET"
        or settings.ARCHIVE_SEARCH_CACHE_SECONDS <= 0
        or set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}
        or getattr(getattr(request, "user", None), "is_authenticated", False)
    ):
        return None
    where = f"{request.scheme}://{request.get_host()}"
    return "kept-page:" + hashlib.sha256(f"{tag}|{where}".encode()).hexdigest()


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and len(response.content) <= KEPT_MAX_BYTES
    )


# --- The pages' validators --------------------------------------------------------------------


def _version_state(request: HttpRequest, public_id: str, number: int) -> dict | None:
    """What a version page's validators depend on, read once per request (the ETag and the
    Last-Modified functions both need it)."""
    from archive.models import ReportVersion

    seen = request.__dict__.setdefault("_version_states", {})
    key = (public_id, str(number))
    if key not in seen:
        seen[key] = (
            ReportVersion.objects.filter(report__public_id=public_id, number=number)
            .values(
                "pk",
                "text_sha256",
                "created_at",
                "report__status",
                "report__updated_at",
                "report__current_version_id",
            )
            .first()
        )
    return seen[key]


def version_etag(request: HttpRequest, public_id: str, number: int, *args, **kwargs) -> str | None:
    """A version page (and its parts and citations) shows the version's text and, around it,
    the report's state: withdrawn or not, which version is current, its corrected metadata
    (all of which move the report's updated_at)."""
    state = _version_state(request, public_id, number)
    if state is None:
        return None
    return _tag(
        request,
        state["pk"],
        state["text_sha256"],
        state["report__status"],
        state["report__updated_at"],
        state["report__current_version_id"],
        timezone.localdate() if "fmt" in kwargs else "",
    )


def version_last_modified(
    request: HttpRequest, public_id: str, number: int, *args, **kwargs
) -> datetime | None:
    state = _version_state(request, public_id, number)
    if state is None:
        return None
    return max(state["created_at"], state["report__updated_at"], release()[1])


def version_max_age() -> int:
    return settings.ARCHIVE_HTTP_VERSION_MAX_AGE


def citation_max_age() -> int:
    """A citation names the day it was downloaded (引用日期): it is true until midnight."""
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, min(settings.ARCHIVE_HTTP_VERSION_MAX_AGE, int((midnight - now).total_seconds())))


def source_etag(request: HttpRequest, sha256: str) -> str:
    """An original is named by the sha256 of its bytes: that is its ETag."""
    return _tag(request, sha256)


def source_max_age() -> int:
    return settings.ARCHIVE_HTTP_SOURCE_MAX_AGE


def current_etag(request: HttpRequest, *args, **kwargs) -> str:
    """Pages that show the archive as it is now: they change with the data and the index."""
    return _tag(request, data_version(), timezone.localdate())


def release_etag(request: HttpRequest, *args, **kwargs) -> str:
    """Pages that show no data (the search help): they change only with a release."""
    return _tag(request)


def current_max_age() -> int:
    return settings.ARCHIVE_HTTP_CURRENT_MAX_AGE


def current_stale_seconds() -> int:
    """The stale-while-revalidate window of current pages, cut so that max-age plus the window
    stays within PROXY_VISIBLE_SECONDS whatever the two settings say."""
    room = PROXY_VISIBLE_SECONDS - current_max_age()
    return max(0, min(settings.ARCHIVE_HTTP_CURRENT_STALE_SECONDS, room))


immutable_version_page = cache_policy(
    etag=version_etag, last_modified=version_last_modified, max_age=version_max_age, immutable=True
)
version_citation = cache_policy(etag=version_etag, max_age=citation_max_age, immutable=True)
original_file = cache_policy(etag=source_etag, max_age=source_max_age, immutable=True)
# The search help shows no data, but it is kept no longer than a current page, so that a deploy
# that changes it reaches readers as soon; its revalidation costs no query.
release_page = cache_policy(
    etag=release_etag, max_age=current_max_age, stale_while_revalidate=current_stale_seconds
)
current_page = cache_policy(
    etag=current_etag,
    max_age=current_max_age,
    stale_while_revalidate=current_stale_seconds,
    keep_rendered=True,
)


# --- Private pages ----------------------------------------------------------------------------


class PrivatePagesMiddleware:
    """Whatever a view said, a response that a session or a cookie can have shaped is for one
    person: an editor's page (the publish and withdraw forms carry a CSRF token), a page
    showing a one-time message, a response setting a cookie. It is `private, no-cache` with
    `Vary: Cookie`, so neither a proxy nor a shared cache keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
        return response

"""The explorer's downloads, cached by the data they show and served in bounded memory.

A download is computed once per data version and query: the key is the search cache's
(search.cache.search_cache_key, the same timeout setting), and the version token changes with
every write a download can show: the archive's data version (publish, correction, merge,
withdrawal, index commit), the newest editors' correction of a number, and the newest change
to the vocabulary. A body larger than ARCHIVE_DOWNLOAD_CACHE_MAX_BYTES is streamed and not
kept: a whole-archive CSV would crowd every other entry out of the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from explorer.models import CommitmentCorrection, Indicator
from search.cache import data_version, search_cache_key

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def explorer_version() -> str:
    corrections = CommitmentCorrection.objects.aggregate(n=Max("pk"))["n"]
    vocabulary = Indicator.objects.aggregate(t=Max("updated_at"))["t"]
    return f"{data_version()}:{corrections}:{vocabulary.isoformat() if vocabulary else '-'}"


def _encoded(chunks: Iterable[str | bytes]) -> Iterator[bytes]:
    for c in chunks:
        yield c.encode("utf-8") if isinstance(c, str) else c


def cached_download(
    request: HttpRequest,
    name: str,
    produce: Callable[[], Iterable[str | bytes]],
    content_type: str,
    filename: str | None = None,
) -> HttpResponse:
    """The response for this download: from the cache, or produced (and kept when small)."""
    seconds = settings.ARCHIVE_SEARCH_CACHE_SECONDS
    version = explorer_version()
    # the permalinks in a download are absolute: the host is part of what was asked for
    key = search_cache_key(f"explorer-{name}", {"url": request.build_absolute_uri()}, version)
    use_cache = seconds > 0 and "unavailable" not in version
    body = cache.get(key) if use_cache else None
    if body is None:
        limit = getattr(settings, "ARCHIVE_DOWNLOAD_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)
        parts, size = [], 0
        stream = _encoded(produce())
        for part in stream:
            parts.append(part)
            size += len(part)
            if size > limit:
                response = StreamingHttpResponse(chain(parts, stream), content_type=content_type)
                return _named(response, filename)
        body = b"".join(parts)
        if use_cache:
            cache.set(key, body, seconds)
    return _named(HttpResponse(body, content_type=content_type), filename)


def _named(response: HttpResponse, filename: str | None) -> HttpResponse:
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

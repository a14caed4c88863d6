"""Caching of search results, keyed by the version of the index's *content*.

The key of a cached result carries a token that changes whenever what the live index holds
changes: the index folder's real path, and the identity (generation, inode, modification
time) of the newest table of contents Whoosh committed. A commit by the single writer writes
a new TOC generation, and a rebuild swapped in beside the live index has another path, so a
publish makes every older entry unreachable at once: a stale cache can never hide it. Old
entries simply expire.

Background compaction also writes a new TOC (the merged segment listed instead of the small
ones) but changes no answer; were it a new token, every merge step would empty the cache of
searches, grids and API answers, and the writer runs one whenever it is idle. So compaction
records beside its TOC which content it holds (CONTENT_FILE: the TOC it wrote and the token
of the TOC before it), and the token stays. Any other commit (a publish, haystack's own
update, anything not knowing about the file) has a TOC the file does not name, so it is a
new token: only a writer that knows it changed nothing can keep one.

    from search.cache import cached_search
    result = cached_search("page", {"q": q, "place": place, "page": page},
                           lambda: run_the_query(...))

The value must be picklable (plain dicts and lists); the cache is shared by all workers.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.db.models import Max

from search.index_folder import listing

T = TypeVar("T")

CONTENT_FILE = "content-version.json"  # beside the segments; Whoosh ignores names it did not make


def index_path() -> Path:
    return Path(settings.HAYSTACK_CONNECTIONS["default"].get("PATH", settings.WHOOSH_INDEX_DIR))


def index_version() -> str:
    """A token that changes with every write to the configured engine's index (and with every
    rebuild); "unavailable" when the index cannot be read. Costs one directory listing and a
    stat with Whoosh, one small request with a search server: cheap enough for every request."""
    from search.engines import get_engine

    return get_engine().version()


def data_version() -> str:
    """Changes with every publish, correction, merge and withdrawal (each queues an index
    change in its own transaction) and with every commit of the index writer."""
    from search.models import IndexChange  # a model: not importable before the apps are ready

    newest = IndexChange.objects.aggregate(n=Max("pk"))["n"]
    return f"{newest}:{index_version()}"


def whoosh_index_version(path: Path | str | None = None, indexname: str = "MAIN") -> str:
    """The Whoosh engine's token: the live index folder's real path and the identity of the
    newest table of contents that changed the content (see the top of this module)."""
    folder = Path(os.path.realpath(path or index_path()))
    toc = newest_toc_identity(folder, indexname)
    if toc == "unavailable":
        return toc
    if toc == "empty":
        return f"empty:{folder}"
    return f"{folder}:{content_identity(folder, toc)}"


def newest_toc_identity(folder: Path, indexname: str = "MAIN") -> str:
    """ "<generation>:<inode>:<mtime ns>" of the newest table of contents in `folder`; "empty"
    when there is none, "unavailable" when the folder cannot be read."""
    try:
        newest = listing(folder).newest_toc(indexname)
    except OSError:
        return "unavailable"
    if newest is None:
        return "empty"
    gen, name = newest
    try:
        st = os.stat(folder / name)
    except OSError:
        return "unavailable"
    return f"{gen}:{st.st_ino}:{st.st_mtime_ns}"


def content_identity(folder: Path, toc: str) -> str:
    """The content `toc` holds: that of an earlier TOC when a compaction wrote `toc` (and said
    so in CONTENT_FILE), otherwise `toc` itself."""
    try:
        recorded = json.loads((folder / CONTENT_FILE).read_text())
    except (OSError, ValueError):
        return toc
    if isinstance(recorded, dict) and recorded.get("toc") == toc and recorded.get("content"):
        return str(recorded["content"])
    return toc


def record_unchanged_content(folder: Path, content: str, indexname: str = "MAIN") -> None:
    """Called by compaction under the index lock, right after it wrote a TOC: that TOC holds
    `content` (the content identity of the TOC it replaced). Written atomically; a reader in
    between sees a new token, which costs a cache miss, never a stale answer."""
    toc = newest_toc_identity(folder, indexname)
    if toc in ("unavailable", "empty"):
        return
    tmp = folder / f"{CONTENT_FILE}.tmp"
    tmp.write_text(json.dumps({"toc": toc, "content": content}))
    os.replace(tmp, folder / CONTENT_FILE)


def search_cache_key(namespace: str, params: Mapping[str, Any], version: str) -> str:
    blob = json.dumps({"v": version, "p": params}, sort_keys=True, ensure_ascii=False, default=str)
    return f"search:{namespace}:{hashlib.sha256(blob.encode()).hexdigest()}"


def cached_search(
    namespace: str,
    params: Mapping[str, Any],
    compute: Callable[[], T],
    *,
    version: str | None = None,
    timeout: int | None = None,
) -> T:
    """`compute()`'s result for these params at the current index version, from the cache when
    another request already computed it.

    `version` overrides the token when the caller knows a better one (e.g. a writer's own
    generation counter). Nothing is cached while the index is unavailable, and with
    ARCHIVE_SEARCH_CACHE_SECONDS=0 caching is off.
    """
    seconds = settings.ARCHIVE_SEARCH_CACHE_SECONDS if timeout is None else timeout
    version = version or index_version()
    if seconds <= 0 or version == "unavailable":
        return compute()
    key = search_cache_key(namespace, params, version)
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(key, value, seconds)
    return value


class FileCache(FileBasedCache):
    """Django's file cache (the embedded default, shared by every worker on the machine),
    except for when it counts its entries.

    Django lists the whole cache folder on every `set` to decide whether to cull: with the
    20,000 entries a busy archive holds (searches, grids, report pages per marked term, rate
    limit counters) that listing is ~30 ms of CPU, more than a cached page costs to serve,
    paid by every request that stores anything. Here a process lists the folder on its first
    set and then once every CULL_CHECK_EVERY sets: the folder may exceed MAX_ENTRIES by that
    many entries per worker before a cull, which is what MAX_ENTRIES is for (a bound on the
    disk, not an exact count)."""

    CULL_CHECK_EVERY = 100
    # Django compresses every entry at zlib's default level 6: 2.7 ms for a report page's
    # body at 10,000 reports, several per page. Level 1 is a few times faster for a slightly
    # larger file; reading is the same.
    COMPRESSION_LEVEL = 1

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._sets_since_cull_check = 0

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), self.COMPRESSION_LEVEL))

    def _cull(self):
        due = self._sets_since_cull_check % self.CULL_CHECK_EVERY == 0
        self._sets_since_cull_check += 1
        if not due:
            return
        filelist = self._list_cache_files()
        if len(filelist) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        # Django deletes a third of the entries; here also those past MAX_ENTRIES, which the
        # writes between two checks may have added.
        excess = len(filelist) - self._max_entries
        doomed = excess + int(self._max_entries / self._cull_frequency)
        for fname in random.sample(filelist, min(len(filelist), doomed)):
            self._delete(fname)

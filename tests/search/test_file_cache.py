"""The embedded cache (a folder shared by the workers) stays bounded without listing its
folder on every write: Django's file cache lists every entry on each `set`, which at the
20,000 entries of a busy archive cost more CPU than serving a cached page."""

from __future__ import annotations

from search.cache import FileCache


def make_cache(folder, max_entries: int) -> FileCache:
    return FileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": max_entries}})


def entries(folder) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix == ".djcache")


def test_the_folder_is_listed_once_per_cull_check_not_once_per_write(tmp_path):
    cache = make_cache(tmp_path, max_entries=10_000)
    listings = []
    list_files = cache._list_cache_files

    def counted():
        listings.append(1)
        return list_files()

    cache._list_cache_files = counted
    writes = 3 * FileCache.CULL_CHECK_EVERY
    for i in range(writes):
        cache.set(f"k{i}", i)
    assert len(listings) == 3  # the first write, then one in CULL_CHECK_EVERY
    assert [cache.get(f"k{i}") for i in range(writes)] == list(range(writes))


def test_the_cache_still_stays_bounded(tmp_path):
    most = 50
    cache = make_cache(tmp_path, max_entries=most)
    for i in range(20 * FileCache.CULL_CHECK_EVERY):
        cache.set(f"k{i}", "x" * 10)
    # At most MAX_ENTRIES when a check runs, plus the writes until the next check.
    assert entries(tmp_path) <= most + FileCache.CULL_CHECK_EVERY
    assert cache.get(f"k{20 * FileCache.CULL_CHECK_EVERY - 1}") == "x" * 10

"""The index folder's names, listed again only when the folder has changed.

Every request asks whether the index changed: the results cache's version token (the newest
table of contents) and the searcher's `up_to_date()` (Whoosh's newest generation). Both list
the generation folder and match every name against a pattern. That folder also holds the
files of merged-away segments, kept SEARCH_SEGMENT_RETAIN_SECONDS for readers that may still
open them (search.compaction), so after a busy spell it holds thousands of names: after 500
publishes, 6,889, and each check cost about 5 ms, several per request (the search page ran
1.5-2x slower than on a fresh build with the same segments).

A directory's modification time changes whenever a name is added, removed or renamed in it,
and every change Whoosh and the writer make is one of those (a table of contents is written
under a temporary name, then renamed). So the listing, and what is read from it, is kept per
folder while the folder's (inode, mtime) stays the same. The file system stamps times with a
coarse clock (a few milliseconds), so two changes within one tick can leave the same mtime;
like git's index ("racy git"), a listing is kept only when it was taken clearly after the
folder's mtime (settled_ns), when any later change must carry a later stamp. A folder that
is changing is simply listed every time, as before. The wait is short, because the folder
does change at quiet times too: a worker's first query opens the recall index, and SQLite
creates its -wal and -shm files beside it.

This assumes a local file system (the embedded default keeps the index on the machine's own
disk); a network file system that caches attributes would need the keeping switched off
(SEARCH_KEEP_FOLDER_LISTING = False).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, FileIndex

# Kernels stamp files from a clock that ticks every 1-10 ms; file systems without
# sub-second times (ext3, FAT, some network mounts) give whole seconds, and 2 s covers FAT.
SETTLED_NS = 100_000_000
WHOLE_SECOND_SETTLED_NS = 2_000_000_000


def settled_ns(mtime_ns: int) -> int:
    """How long after `mtime_ns` a listing may be kept: a stamp on a whole second may come
    from a file system that keeps no fractions."""
    return WHOLE_SECOND_SETTLED_NS if mtime_ns % 1_000_000_000 == 0 else SETTLED_NS


@dataclass
class Listing:
    names: tuple[str, ...]
    _derived: dict = field(default_factory=dict)

    def newest_toc(self, indexname: str) -> tuple[int, str] | None:
        """(generation, file name) of the newest table of contents of `indexname`."""
        key = ("toc", indexname)
        if key not in self._derived:
            pattern = TOC._pattern(indexname)  # Whoosh's own, as its _latest_generation
            gens = [(int(m[1]), n) for n in self.names if (m := pattern.match(n))]
            self._derived[key] = max(gens) if gens else None
        return self._derived[key]


_kept: dict[str, tuple[int, int, Listing]] = {}
_lock = threading.Lock()


def listing(folder: str | os.PathLike) -> Listing:
    """The names in `folder` now. Raises OSError when it cannot be read."""
    path = os.fspath(folder)
    started = time.time_ns()
    st = os.stat(path)
    with _lock:
        kept = _kept.get(path)
    if kept is not None and kept[0] == st.st_ino and kept[1] == st.st_mtime_ns:
        return kept[2]
    fresh = Listing(tuple(os.listdir(path)))
    if getattr(settings, "SEARCH_KEEP_FOLDER_LISTING", True) and (
        started - st.st_mtime_ns > settled_ns(st.st_mtime_ns)
    ):
        with _lock:
            _kept[path] = (st.st_ino, st.st_mtime_ns, fresh)
    return fresh


def forget() -> None:
    with _lock:
        _kept.clear()


class KeptListingStorage(FileStorage):
    """Whoosh's file storage, listing its folder through `listing()`."""

    def list(self):
        try:
            return list(listing(self.folder).names)
        except OSError:
            return []


class ArchiveIndex(FileIndex):
    """Whoosh's file index, reading its newest generation from the kept listing rather than
    matching every name of the folder against the pattern on each call."""

    def latest_generation(self):
        try:
            newest = listing(self.storage.folder).newest_toc(self.indexname)
        except OSError:
            return -1
        return -1 if newest is None else newest[0]

    def _read_toc(self):
        gen = self.latest_generation()
        if gen < 0:
            raise EmptyIndexError(f"Index {self.indexname!r} does not exist in {self.storage!r}")
        return TOC.read(self.storage, self.indexname, gen=gen, schema=self._schema)


def open_folder_index(folder: str | os.PathLike, schema=None, indexname: str = "MAIN"):
    return ArchiveIndex(KeptListingStorage(os.fspath(folder)), schema=schema, indexname=indexname)

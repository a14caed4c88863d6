"""The Whoosh engine's health check for /healthz (config.health): can this host search?

Reads the live index's table of contents read-only (it never takes the writer's lock) and
counts the sections of the recall index beside it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from search.cache import index_path, whoosh_index_version
from search.recall import FILENAME

log = logging.getLogger(__name__)


class IndexDamaged(Exception):
    """What check_whoosh_index found wrong, in words safe to show (no paths)."""


def _recall_sections(path) -> int:
    """Sections in the recall index (search.recall) beside Whoosh, read-only."""
    recall = Path(path) / FILENAME
    if not recall.exists():
        raise IndexDamaged("recall index missing (run manage.py rebuild_search_index)")
    conn = sqlite3.connect(f"file:{recall}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM units").fetchone()[0]
    finally:
        conn.close()


def check_whoosh_index() -> dict[str, Any]:
    """Open the live Whoosh index read-only (never takes the writer's lock) and read its table
    of contents: the generation and document count the last commit recorded."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import FileStorage

    from search.index_folder import listing

    path = index_path()
    start = time.perf_counter()
    try:
        if not path.is_dir():
            return {
                "ok": False,
                "error": f"index folder missing: {path.name} (run manage.py rebuild_search_index)",
            }
        newest = listing(path).newest_toc("MAIN")  # haystack's index name
        if newest is None:
            return {
                "ok": False,
                "error": f"no index in {path.name} (run manage.py rebuild_search_index)",
            }
        # The table of contents alone (schema, generation, segments and their document counts):
        # opening segment readers as well would cost ~100 ms a probe on a mid-sized index.
        storage = FileStorage(str(path), readonly=True)
        toc = whoosh_index.TOC.read(storage, "MAIN", gen=newest[0])
        missing = [
            seg.segment_id()
            for seg in toc.segments
            if not any(
                storage.file_exists(seg.make_filename(ext)) for ext in (".seg", ".trm", ".pst")
            )
        ]
        if missing:
            raise IndexDamaged(f"segment files missing: {', '.join(missing)}")
        docs = sum(seg.doc_count() for seg in toc.segments)
        generation = toc.generation
        recall_sections = _recall_sections(path)
    except Exception as e:  # unreadable, truncated, corrupted: all mean "cannot search"
        # The exception's text may name files by absolute path: the log gets it, the public
        # answer only the kind of failure.
        log.error("health: index unreadable at %s: %r", path, e)
        detail = (
            str(e) if isinstance(e, IndexDamaged) else f"{type(e).__name__}; see the server log"
        )
        return {"ok": False, "error": f"index unreadable: {detail}"}
    return {
        "ok": True,
        "generation": generation,
        "documents": docs,
        "recall_sections": recall_sections,
        # A digest, not the raw key: the key holds the index folder's absolute path, which
        # a public endpoint has no business showing.
        "version": hashlib.sha256(whoosh_index_version(path).encode()).hexdigest()[:16],
        "ms": round((time.perf_counter() - start) * 1000, 1),
    }

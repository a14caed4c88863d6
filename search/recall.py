"""The recall index: every character of every section, with positions, in SQLite FTS5.

It answers one question — which sections contain this string verbatim? — for any string of
one or more characters, and it answers it exactly: each character of the normalised text is
one token at its own position, so a term's characters as an FTS5 phrase match where, and only
where, the term occurs. A line break is a token too, so no match spans two lines.

Why beside Whoosh and not in it: Whoosh writes postings in pure Python, and character grams
are three quarters of all postings; FTS5 writes and merges them in C. Whoosh keeps the jieba
words (ranking), the filter columns and the stored fields (bench/bench_search.py has the
figures before and after).

Tokens are characters written as their lowercase hex code point ("营商" -> "8425 5546") and
read by FTS5's `ascii` tokenizer: any character, punctuation, digits and "%" included, is a
token that no tokenizer rule can split, fold or drop.

The FTS table is contentless (content=''): the text lives in the Whoosh index and the
database already. To delete a row FTS5 needs the tokens it was given, so `units` keeps them
compressed (a quarter of their size) beside the section and report ids.

Writes happen under search.indexing's single-writer lock; readers (web workers) use one
connection per thread and see each write when it commits (WAL).
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

FILENAME = "recall.sqlite3"

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chars USING fts5(
    tokens, content='', columnsize=0, detail=full, tokenize='ascii'
);
CREATE TABLE IF NOT EXISTS units (
    section INTEGER PRIMARY KEY,
    report INTEGER NOT NULL,
    tokens BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS units_report ON units(report);
"""

class _HexTable(dict):
    """code point -> "hex " for str.translate, filled as characters are first seen (one C
    call per text instead of a Python call per character)."""

    def __missing__(self, code: int) -> str:
        token = self[code] = format(code, "x") + " "
        return token


_HEX = _HexTable()


def char_tokens(norm_text: str) -> str:
    """The token string of normalised text: every character (spaces and line breaks
    included) as its hex code point, separated by single spaces."""
    return norm_text.translate(_HEX)[:-1]


def match_expression(norm_term: str) -> str:
    """The FTS5 query that matches exactly the rows containing `norm_term`."""
    return '"' + char_tokens(norm_term) + '"'


class RecallIndex:
    """One recall database (a file inside an index generation directory)."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / FILENAME
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn = conn
        return self._conn

    def exists(self) -> bool:
        return self.path.exists()

    def create(self) -> None:
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- writing (under search.indexing's lock) ------------------------------------------

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def has(self, section: int) -> bool:
        row = self.conn.execute("SELECT 1 FROM units WHERE section = ?", (section,)).fetchone()
        return row is not None

    def add(self, section: int, report: int, norm_text: str) -> bool:
        """Index a section's normalised text (within a transaction). A section's text never
        changes (it belongs to an immutable version), so an id already present is skipped."""
        if self.has(section):
            return False
        tokens = char_tokens(norm_text)
        self.conn.execute("INSERT INTO chars(rowid, tokens) VALUES (?, ?)", (section, tokens))
        self.conn.execute(
            "INSERT INTO units(section, report, tokens) VALUES (?, ?, ?)",
            (section, report, zlib.compress(tokens.encode("ascii"), 1)),
        )
        return True

    def delete(self, sections: Iterable[int]) -> int:
        """Remove sections (within a transaction), with the tokens they were indexed with."""
        n = 0
        for section in sections:
            row = self.conn.execute(
                "SELECT tokens FROM units WHERE section = ?", (section,)
            ).fetchone()
            if row is None:
                continue
            tokens = zlib.decompress(row[0]).decode("ascii")
            self.conn.execute(
                "INSERT INTO chars(chars, rowid, tokens) VALUES ('delete', ?, ?)",
                (section, tokens),
            )
            self.conn.execute("DELETE FROM units WHERE section = ?", (section,))
            n += 1
        return n

    def sections_of_reports(self, reports: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for report in reports:
            out.update(
                s
                for (s,) in self.conn.execute(
                    "SELECT section FROM units WHERE report = ?", (report,)
                )
            )
        return out

    def optimize(self) -> None:
        """Merge FTS5's segments into one (after a rebuild: fewer segments, faster reads)."""
        self.conn.execute("INSERT INTO chars(chars) VALUES ('optimize')")

    # --- reading -------------------------------------------------------------------------

    def sections(self, norm_term: str) -> list[int]:
        """Ids of the sections whose normalised text contains `norm_term`."""
        if not norm_term:
            return []
        return [
            r
            for (r,) in self.conn.execute(
                "SELECT rowid FROM chars WHERE chars MATCH ?", (match_expression(norm_term),)
            )
        ]

    def all_sections(self) -> dict[int, int]:
        """section -> report for every indexed section (drift checks)."""
        return dict(self.conn.execute("SELECT section, report FROM units"))


_local = threading.local()


def reader(folder: str | Path) -> RecallIndex:
    """This thread's reading connection to the recall index in `folder` (a generation
    directory); a new folder (after a rebuild) gets a new connection."""
    folder = str(folder)
    current = getattr(_local, "index", None)
    if current is None or current[0] != folder:
        if current is not None:
            current[1].close()
        _local.index = (folder, RecallIndex(folder))
    return _local.index[1]


def forget_reader() -> None:
    """Close this thread's reading connection (the next query opens a fresh one)."""
    current = getattr(_local, "index", None)
    if current is not None:
        current[1].close()
        _local.index = None

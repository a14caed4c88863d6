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
database already. `units` keeps, beside the section and report ids, the normalised text itself
as UTF-8, uncompressed: FTS5 needs the tokens a row was given to delete it (they are made again
from the text), and the trend counts occurrences on it with bytes.count, in C, with no
per-section work in Python (decompressing and spacing tokens was 70% of a trend).

An index made before that (format 0: `units.tokens`, the tokens zlib-compressed) is detected
and still read and written in its own format, exactly and as slowly as before, until
`manage.py rebuild_search_index` makes a new one; `stored_format` says which one a file is.

Writes happen under search.indexing's single-writer lock; readers (web workers) use one
connection per thread and see each write when it commits (WAL).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path

import numpy as np

FILENAME = "recall.sqlite3"

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chars USING fts5(
    tokens, content='', columnsize=0, detail=full, tokenize='ascii'
);
CREATE TABLE IF NOT EXISTS units (
    section INTEGER PRIMARY KEY,
    report INTEGER NOT NULL,
    norm BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS units_report ON units(report);
PRAGMA user_version = 2;
"""

FORMAT = 2  # PRAGMA user_version of an index that keeps the normalised text (0: tokens)


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


def utf8(norm_text: str) -> bytes:
    """Normalised text as the recall index keeps it (lone surrogates too: any text indexes)."""
    return norm_text.encode("utf-8", "surrogatepass")


def tokens_text(tokens: bytes) -> str:
    """The normalised text a token string was made from (char_tokens read backwards)."""
    return "".join(map(chr, map(int, tokens.split(), repeat(16))))


class OccurrenceCounter:
    """Counts occurrences of normalised terms exactly as search.highlight.occurrences counts
    them in the text: non-overlapping, left to right, the longest term winning where several
    start. The trend counts on what the index already holds for each section — the normalised
    text as UTF-8 in the recall index (`count`), the recall field's tokens in OpenSearch
    (`count_tokens`) — so no section's text is normalised again at query time.

    On UTF-8 a match can only start and end at character boundaries (a lead byte is never a
    continuation byte), so counting bytes counts characters. Terms that cannot overlap one
    another (none inside another, no end of one the start of another: single characters,
    most words) are counted one by one with bytes.count, which is the left-to-right,
    non-overlapping count of one term. Other term sets go through one regular expression whose
    alternatives are tried longest first, which is the same rule."""

    def __init__(self, norm_terms: Iterable[str]):
        self.terms = list(dict.fromkeys(t for t in norm_terms if t))
        self._independent = _independent(self.terms)
        longest_first = sorted(self.terms, key=len, reverse=True)
        self._needles = [utf8(t) for t in self.terms]
        self._regex = re.compile(b"|".join(re.escape(utf8(t)) for t in longest_first))
        # Tokens: separated by two spaces and padded with one, so that a term's pattern
        # (" t1  t2 ") matches whole tokens only and two occurrences side by side are both
        # found; the regex is held to whole tokens by the look-arounds.
        self._token_patterns = [b" " + _spaced(t) + b" " for t in self.terms]
        self._token_regex = re.compile(
            rb"(?<![0-9a-f])(?:"
            + b"|".join(re.escape(char_tokens(t).encode("ascii")) for t in longest_first)
            + rb")(?![0-9a-f])"
        )

    def count(self, norm: bytes) -> int:
        """Occurrences in normalised text encoded as the recall index keeps it (`utf8`)."""
        if not self.terms:
            return 0
        if self._independent:
            return sum(map(norm.count, self._needles))
        return sum(1 for _ in self._regex.finditer(norm))

    def count_tokens(self, tokens: bytes) -> int:
        """Occurrences in a token string (`char_tokens` of normalised text, as bytes)."""
        if not self.terms:
            return 0
        if self._independent:
            spaced = b" " + tokens.replace(b" ", b"  ") + b" "
            return sum(map(spaced.count, self._token_patterns))
        return sum(1 for _ in self._token_regex.finditer(tokens))


def _spaced(norm_term: str) -> bytes:
    return char_tokens(norm_term).encode("ascii").replace(b" ", b"  ")


def _independent(terms: list[str]) -> bool:
    """No occurrence of one term can overlap an occurrence of another."""
    for a in terms:
        for b in terms:
            if a is b:
                continue
            if a in b or any(a[-k:] == b[:k] for k in range(1, min(len(a), len(b)))):
                return False
    return True


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

    @functools.cached_property
    def stored_format(self) -> int:
        """FORMAT for an index that keeps the normalised text, 0 for one that keeps the
        compressed tokens (made before; read and written in its own way until rebuilt)."""
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(units)")}
        return 0 if "tokens" in columns else FORMAT

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
        if self.stored_format == FORMAT:
            stored, column = utf8(norm_text), "norm"
        else:
            stored, column = zlib.compress(tokens.encode("ascii"), 1), "tokens"
        self.conn.execute(
            f"INSERT INTO units(section, report, {column}) VALUES (?, ?, ?)",
            (section, report, stored),
        )
        return True

    def delete(self, sections: Iterable[int]) -> int:
        """Remove sections (within a transaction), with the tokens they were indexed with."""
        n = 0
        for section in sections:
            row = self.conn.execute(
                f"SELECT {self._stored_column} FROM units WHERE section = ?", (section,)
            ).fetchone()
            if row is None:
                continue
            if self.stored_format == FORMAT:
                tokens = char_tokens(row[0].decode("utf-8", "surrogatepass"))
            else:
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
        return self.section_ids(norm_term).tolist()

    def section_ids(self, norm_term: str) -> np.ndarray:
        """`sections` as an array. SQLite joins the ids into one row: a row per
        section cost as much as FTS5's phrase matching itself for a word in most sections."""
        if not norm_term:
            return np.zeros(0, dtype=np.int64)
        (joined,) = self.conn.execute(
            "SELECT group_concat(rowid) FROM chars WHERE chars MATCH ?",
            (match_expression(norm_term),),
        ).fetchone()
        if not joined:
            return np.zeros(0, dtype=np.int64)
        return np.fromstring(joined, dtype=np.int64, sep=",")

    def section_texts(self, sections: Iterable[int]) -> Iterator[tuple[int, bytes]]:
        """(section, its normalised text as `utf8`) for each of `sections` held here: the
        text as it was indexed, read back rather than normalised again (trend counts)."""
        ids = sorted(set(sections))
        column = self._stored_column
        for i in range(0, len(ids), _BATCH):
            chunk = ids[i : i + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT section, {column} FROM units WHERE section IN ({marks})", chunk
            )
            if self.stored_format == FORMAT:
                yield from rows
            else:
                for section, blob in rows:
                    yield section, utf8(tokens_text(zlib.decompress(blob)))

    @property
    def _stored_column(self) -> str:
        return "norm" if self.stored_format == FORMAT else "tokens"

    def all_sections(self) -> dict[int, int]:
        """section -> report for every indexed section (drift checks)."""
        return dict(self.conn.execute("SELECT section, report FROM units"))


_BATCH = 500  # ids per SELECT (SQLite's bound-parameter limit is 999 on older builds)

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

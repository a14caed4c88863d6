"""Every hit of a search as keyword-in-context rows, for researchers' CSV downloads.

One row per occurrence of a search term (the marks a reader sees), in the list's order:
place, year, report, section, the sentence holding the match with the match itself, its
offsets in the version text and the permalink of its paragraph. A search with filters only
gives one row per section. Rows are produced lazily, so the response can stream any number
of hits without holding them.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator

from search.engines import get_engine
from search.highlight import occurrences
from search.normalize import normalize_with_offset_map
from search.query import ParsedQuery
from search.units import Unit

COLUMNS = [
    "place",
    "year",
    "report_title",
    "section",
    "section_id",
    "section_kind",
    "match",
    "sentence",
    "start",
    "end",
    "permalink",
]
# The export's budget. A sync gunicorn worker streaming one response cannot tell the master
# it is alive, so a download longer than the worker timeout (60 s) would be cut off without a
# word. 50,000 rows take about 20 s at the 2,000 hits/s bar; past them the export ends with
# a row that says so (BUDGET_MARK in the first column) and how to get the rest.
MAX_ROWS = 50_000
BUDGET_MARK = "(budget)"

# Where a sentence ends, for the context around a match (and a line break: a paragraph).
SENTENCE_ENDS = "。！？；!?;\n"
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")
MAX_SENTENCE = 400  # characters of context at most, around the match


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding [start, end), at most MAX_SENTENCE characters."""
    # The sentence's start is found looking back from the match (rfind), not by scanning
    # the section from its beginning for every match: that made a long section's export
    # quadratic in its matches.
    left = max(text.rfind(c, 0, start) for c in SENTENCE_ENDS) + 1
    m = _SENTENCE_END.search(text, end)
    right = m.end() if m else len(text)
    if right - left > MAX_SENTENCE:
        half = (MAX_SENTENCE - (end - start)) // 2
        left, right = max(left, start - half), min(right, end + half)
    return text[left:right].strip()


def kwic_rows(
    parsed: ParsedQuery,
    permalink: Callable[[str, int, int | None, str], str],
    sort: str = "relevance",
) -> Iterator[list]:
    """Rows (COLUMNS) for every hit. `permalink(report_pid, version, paragraph, anchor)`
    gives the absolute link of a paragraph (or of a section when no paragraph holds it)."""
    terms = [t.text for t in parsed.terms]
    for fields in get_engine().ranked_fields(parsed, sort):
        body = fields.get("body", "")
        try:
            unit = Unit(tuple(tuple(s) for s in json.loads(fields.get("segments") or "[]")))
            paragraphs = json.loads(fields.get("paragraphs") or "[]")
        except ValueError:
            unit, paragraphs = Unit(()), []
        starts = [p[1] for p in paragraphs]

        def paragraph_at(version_offset: int, paragraphs=paragraphs, starts=starts) -> int | None:
            i = bisect.bisect_right(starts, version_offset) - 1
            ok = i >= 0 and paragraphs[i][1] <= version_offset < paragraphs[i][2]
            return paragraphs[i][0] if ok else None

        common = [
            fields.get("place") or "",
            fields.get("year") or "",
            fields.get("report_title") or "",
            fields.get("title") or "",
            fields.get("anchor") or "",
            fields.get("kind") or "",
        ]
        pid, number, anchor = (
            fields["report_pid"],
            fields["version_number"],
            fields.get("anchor", ""),
        )
        found = False
        if terms:
            norm, omap = normalize_with_offset_map(body)
            for s, e, _ in occurrences(norm, terms):
                found = True
                ms, me = omap[s], omap[e - 1] + 1
                vs = unit.to_version_offset(ms) if unit.segments else ms
                ve = vs + (me - ms)
                yield [
                    *common,
                    body[ms:me],
                    sentence_around(body, ms, me),
                    vs,
                    ve,
                    permalink(pid, number, paragraph_at(vs), anchor),
                ]
        if not found:  # filters only: the section itself
            first = paragraphs[0][0] if paragraphs else None
            yield [
                *common,
                "",
                sentence_around(body, 0, 0),
                "",
                "",
                permalink(pid, number, first, anchor),
            ]


def budget_row(rows: int) -> list:
    """The last row of an export stopped at MAX_ROWS (COLUMNS wide)."""
    message = (
        f"导出在 {rows:,} 行处停止（导出预算）。请按年份或地区分次下载其余部分。 "
        f"(The export stopped at its budget of {rows:,} rows; download the rest in parts, "
        "by years (year_from/year_to) or places.)"
    )
    return [BUDGET_MARK, "", "", "", "", "", "", message, "", "", ""]

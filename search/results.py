"""What a search returns, whichever engine ran it (search.engines): the hits of one page, the
exact count, facets, the place x year grid, and the term-over-time table.

Plain dataclasses with no engine in them, so that the pages, the API and the exports read the
same objects from Whoosh and from OpenSearch, and a cached result can be pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.highlight import Snippet

# What one answer may hold, whichever engine made it. OpenSearch clamps pages (its result
# window); Whoosh pages through every hit.
MAX_PAGE = 50
GRID_MAX_ROWS = 80
GRID_MAX_COLS = 60
GRID_SNIPPETS = 150  # cells beyond this show their count only (a link to their hits)

# The trend's budget. Sections per year are always exact (a set lookup per hit); occurrences
# mean reading every matched section's tokens (decompressing them) and scanning them once per
# term, about 60 ns a character on one free core, so past this much work (characters
# scanned, summed over rows and terms) the trend gives the exact section counts only and
# says so, instead of keeping a worker busy for long. 30 M is one term over the whole text of
# ~1,150 reports (under 2 s on a free core); a narrower year range or place counts it.
TREND_MAX_TERMS = 8  # rows drawn; a query of more terms is counted as a whole in its own row
TREND_MAX_SCAN = 30_000_000

# --- results -----------------------------------------------------------------------------------


@dataclass
class Hit:
    docnum: int
    fields: dict
    snippet: Snippet
    paragraph: int | None
    # Every match in the section, as [start, end) offsets into the version's text (the text
    # permalinks and parse_report --json offsets refer to).
    matches: list[tuple[int, int]] = field(default_factory=list)

    @property
    def place(self) -> str | None:
        return self.fields.get("place")

    @property
    def year(self) -> int | None:
        return self.fields.get("year") or None

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    @property
    def report_pid(self) -> str:
        return self.fields["report_pid"]

    @property
    def version_number(self) -> int:
        return self.fields["version_number"]

    @property
    def anchor(self) -> str:
        return f"p{self.paragraph}" if self.paragraph else self.fields.get("anchor", "")

    @property
    def kind(self) -> str:
        return self.fields.get("kind", "")

    @property
    def doc_type(self) -> str:
        return self.fields.get("doc_type", "")


@dataclass
class Cell:
    count: int = 0
    best: Hit | None = None


@dataclass
class Outcome:
    count: int
    hits: list[Hit]
    page: int
    per_page: int
    facets_place: dict[str, int]
    facets_year: dict[int, int]
    terms: list[str]
    grid_rows: list[str] = field(default_factory=list)
    grid_cols: list[int | None] = field(default_factory=list)
    grid: dict[tuple[str, int | None], Cell] = field(default_factory=dict)
    grid_truncated: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def past_end(self) -> bool:
        """A page after the last one (an empty result has one page, with nothing on it)."""
        return self.page > self.pages


UNKNOWN_PLACE = ""


# --- term over time ----------------------------------------------------------------------------


@dataclass
class TrendRow:
    term: str
    place: str | None  # None: all places together
    years: dict  # year -> (sections, occurrences)


@dataclass
class Trend:
    terms: list[str]
    years: list[int | None]
    chars: dict  # (place or None, year) -> characters indexed there (under the filters)
    rows: list[TrendRow]
    # False when counting occurrences would have passed TREND_MAX_SCAN: every row then holds
    # exact section counts and 0 occurrences, and the page says so.
    occurrences_counted: bool = True
    scan: int = 0  # characters the occurrence counts read (or would have read), over all rows

    def rate(self, row: TrendRow, year) -> float:
        """Occurrences per 10,000 characters of text in that year (and place)."""
        total = self.chars.get((row.place, year), 0)
        return 10_000 * row.years.get(year, (0, 0))[1] / total if total else 0.0

"""The plain result objects of the ingest pipeline.

Nothing here imports Django: the pipeline turns bytes into these dataclasses, and the archive
app persists them. `ParseResult.to_contract()` gives the JSON object promised by
`manage.py parse_report --json` (see docs/architecture.md); its keys must not change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PLACE_LEVELS = ("national", "province", "city", "district")
DOC_TYPES = ("work_report", "work_report_excerpt", "targets", "news", "other")
SECTION_KINDS = ("review", "plan", "targets", "problems", "glossary", "other")
COMMITMENT_KINDS = ("target", "achievement")
COMMITMENT_DIRECTIONS = ("up", "down", "level")
COMMITMENT_PERIODS = ("year", "multi_year_average", "cumulative", "by_year")


class IngestError(Exception):
    """A file the pipeline cannot read at all (empty, binary, unknown format, scanned PDF...).

    The message is shown to the editor as it is, so it says in plain words what is wrong.
    """


@dataclass
class Place:
    name: str  # full name from the top: "天津市和平区", "中华人民共和国"
    level: str  # one of PLACE_LEVELS
    code: str | None = None  # GB/T 2260 code where known
    # The chain from the top, each (name, level, code); the archive builds its place tree from it.
    path: list[tuple[str, str, str | None]] = field(default_factory=list)


@dataclass
class Section:
    anchor: str  # stable within one parse: "s1", "s1-2", ...
    level: int  # 1 for top-level parts/headings
    number: str | None  # "一", "（二）", "3", None for unnumbered headings
    title: str
    kind: str  # one of SECTION_KINDS
    start: int  # offsets into ParseResult.text; the section covers text[start:end]
    end: int
    parent: str | None = None  # anchor of the enclosing section


@dataclass
class Paragraph:
    number: int  # 1-based, in text order, stable for a given text
    start: int
    end: int
    section: str | None  # anchor of the innermost section containing it


@dataclass
class Commitment:
    text: str  # the source sentence (text[start:end])
    indicator: str  # normalised name: "地区生产总值", "一般公共预算收入", ...
    value: float
    value_max: float | None
    unit: str
    qualifier: str | None  # 左右, 以上, 以内, 力争, 超过, 控制在 ...
    kind: str  # "target" or "achievement"
    section: str | None  # anchor of the section it is in
    start: int
    end: int
    # what the number measures (docs/guide.md, "Commitments"): a change ("up"/"down": the value
    # stays as written, so a 下降3.3% is value 3.3 marked "down") or a "level"
    direction: str = "level"
    period: str = "year"  # one of COMMITMENT_PERIODS
    horizon: int | None = None  # the target year a by_year/multi-year figure is for (到2030年)
    scope: str | None = None  # None: the whole jurisdiction; else the part as written (对东盟)
    baseline: float | None = None  # the 从/由 value of 从X提高到Y, in the same unit
    normalised: bool = True  # False: `indicator` is the name as written, outside the vocabulary


@dataclass
class SourceMeta:
    """What the copy itself tells about where it came from (chrome turned into metadata)."""

    published: str | None = None  # 发布日期 of the copy, YYYY-MM-DD
    publisher: str | None = None  # 发布者 / 来源
    url: str | None = None


@dataclass
class ParseResult:
    title: str
    place: Place | None
    year: int | None
    doc_type: str
    published: str | None
    delivered: str | None
    meeting: str | None
    text: str  # the cleaned text that every offset refers to
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    speaker: str | None = None
    source: SourceMeta = field(default_factory=SourceMeta)
    media_type: str = "text/plain"
    encoding: str | None = None

    def to_contract(self) -> dict:
        """The object `parse_report --json` prints; keys and types are a public contract."""
        place = None
        if self.place is not None:
            place = {"name": self.place.name, "level": self.place.level, "code": self.place.code}
        return {
            "title": self.title,
            "place": place,
            "year": self.year,
            "doc_type": self.doc_type,
            "published": self.published,
            "delivered": self.delivered,
            "meeting": self.meeting,
            "text": self.text,
            "sections": [
                {k: v for k, v in asdict(s).items() if k != "parent"} for s in self.sections
            ],
            "commitments": [asdict(c) for c in self.commitments],
            "warnings": list(self.warnings),
        }

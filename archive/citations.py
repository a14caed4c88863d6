"""Citations of a report, a section or a paragraph in the formats researchers use.

Plain Python, no Django: the caller fills a `Work` (archive/citation_views.py does it from the
models) and each formatter returns text. Formats:

- GB/T 7714-2015, electronic resource ([EB/OL]) with 引用日期:
  ``主要责任者. 题名: 其他题名信息[EB/OL]. (更新或修改日期)[引用日期]. 获取和访问路径.``
  e.g. ``天津市河西区人民政府. 2016年河西区政府工作报告[EB/OL]. (2016-01-11)[2026-11-23]. URL.``
  With only the year known it goes where the standard puts 出版年: ``[EB/OL]. 2016[2026-11-23].``;
  with no date at all the date element is left out. An unknown author is ``佚名`` (8.1.2).
- APA 7 (government report, group author; title first when the author is unknown; "n.d.").
- BibTeX (@misc, biblatex-friendly ``date``/``url``/``urldate``), RIS (TY GOVDOC) and CSL-JSON.

A section or paragraph is cited as the report with other title information (``题名: 小节``),
at the immutable URL of the version it was read in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

ANONYMOUS_ZH = "佚名"
ARCHIVE_NAME = "政府工作报告档案"
UNKNOWN_PLACE_NOTE = "地区未知：原文未说明 (place unknown: the text does not say)"
UNKNOWN_YEAR_NOTE = "年份未知：原文未说明 (year unknown: the text does not say)"

APA_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Work:
    """Everything a citation needs, already resolved to plain values."""

    report_title: str
    url: str  # the permalink the citation points at (absolute)
    accessed: date  # 引用日期
    key: str  # ASCII citation key, e.g. "k3x9ab2m-v1-p12"
    author: str | None = None  # corporate author ("天津市河西区人民政府"), None when unknown
    place: str | None = None  # full place name, None when unknown
    year: int | None = None
    issued: date | None = None  # the date the report was delivered, when known
    part: str | None = None  # "一、2015年工作回顾" for a section, "第12段" for a paragraph
    part_kind: str = "report"  # "report" | "section" | "paragraph"
    version: int | None = None
    archive: str = ARCHIVE_NAME
    language: str = "zh-CN"
    source_url: str = ""  # where the archive's copy came from
    source_publisher: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """Title with the part as other title information (GB/T 7714 uses ': ')."""
        return f"{self.report_title}: {self.part}" if self.part else self.report_title

    @property
    def all_notes(self) -> list[str]:
        notes = []
        if self.author is None:
            notes.append(
                UNKNOWN_PLACE_NOTE if self.place is None else "责任者未知 (author unknown)"
            )
        if self.year is None and self.issued is None:
            notes.append(UNKNOWN_YEAR_NOTE)
        if self.version is not None:
            notes.append(f"档案版本 archived version v{self.version}")
        if self.source_url or self.source_publisher:
            origin = ", ".join(x for x in (self.source_publisher, self.source_url) if x)
            notes.append(f"档案副本来源 copied from: {origin}")
        notes.extend(self.notes)
        return notes


def _one_line(text: str) -> str:
    """Citations are single-line records: collapse any whitespace run to one space."""
    return re.sub(r"\s+", " ", text).strip()


def _year(work: Work) -> int | None:
    return work.issued.year if work.issued else work.year


# --- GB/T 7714-2015 ---------------------------------------------------------------------------


def gbt7714(work: Work) -> str:
    author = work.author or ANONYMOUS_ZH
    if work.issued:
        when = f"({work.issued.isoformat()})"
    elif work.year:
        when = str(work.year)
    else:
        when = ""
    return (
        f"{_one_line(author)}. {_one_line(work.title)}[EB/OL]. "
        f"{when}[{work.accessed.isoformat()}]. {work.url}."
    )


# --- APA 7 ------------------------------------------------------------------------------------


def apa(work: Work) -> str:
    if work.issued:
        when = f"({work.issued.year}, {APA_MONTHS[work.issued.month - 1]} {work.issued.day})"
    elif work.year:
        when = f"({work.year})"
    else:
        when = "(n.d.)"
    title = f"{_one_line(work.title)} [Government work report]"
    if work.author:
        head = f"{_one_line(work.author)}. {when}. {title}."
    else:  # APA: with no author the title moves to the author position
        head = f"{title}. {when}."
    return f"{head} {work.archive}. {work.url}"


# --- BibTeX -----------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in _one_line(text))


def bibtex(work: Work) -> str:
    fields: list[tuple[str, str]] = []
    if work.author:
        # Double braces: a corporate author, not "first last".
        fields.append(("author", "{" + bibtex_escape(work.author) + "}"))
    fields.append(("title", bibtex_escape(work.title)))
    year = _year(work)
    if year:
        fields.append(("year", str(year)))
    if work.issued:
        fields.append(("date", work.issued.isoformat()))
    if work.author:
        fields.append(("organization", bibtex_escape(work.author)))
    fields.append(("howpublished", "\\url{" + work.url + "}"))
    fields.append(("url", work.url))
    fields.append(("urldate", work.accessed.isoformat()))
    fields.append(("language", "chinese"))
    fields.append(("note", bibtex_escape("; ".join([f"[EB/OL] {work.archive}", *work.all_notes]))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{work.key},\n{body}\n}}\n"


# --- RIS --------------------------------------------------------------------------------------


def _ris_date(d: date) -> str:
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}/"


def ris(work: Work) -> str:
    lines = [("TY", "GOVDOC")]
    if work.author:
        lines.append(("AU", work.author))
    lines.append(("TI", work.title))
    if work.part:
        lines.append(("T2", work.report_title))
    year = _year(work)
    if year:
        lines.append(("PY", str(year)))
    if work.issued:
        lines.append(("DA", _ris_date(work.issued)))
    if work.author:
        lines.append(("PB", work.author))
    if work.place:
        lines.append(("CY", work.place))
    lines.append(("DB", work.archive))
    lines.append(("UR", work.url))
    lines.append(("Y2", _ris_date(work.accessed)))
    lines.append(("LA", work.language))
    lines.append(("ID", work.key))
    lines.extend(("N1", note) for note in work.all_notes)
    lines.append(("ER", ""))
    # RIS: "TAG  - value", one field a line, CRLF line ends.
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


# --- CSL-JSON ---------------------------------------------------------------------------------


def _date_parts(d: date | None, year: int | None) -> dict | None:
    if d:
        return {"date-parts": [[d.year, d.month, d.day]]}
    if year:
        return {"date-parts": [[year]]}
    return None


def csl_item(work: Work) -> dict:
    item: dict = {
        "id": work.key,
        "type": "report",
        "title": _one_line(work.title),
        "genre": "政府工作报告",
        "URL": work.url,
        "language": work.language,
        "archive": work.archive,
        "accessed": _date_parts(work.accessed, None),
    }
    if work.author:
        item["author"] = [{"literal": work.author}]
        item["publisher"] = work.author
    if work.place:
        item["publisher-place"] = work.place
    issued = _date_parts(work.issued, work.year)
    if issued:
        item["issued"] = issued
    if work.part:
        item["container-title"] = _one_line(work.report_title)
    if work.version is not None:
        item["version"] = str(work.version)
    item["note"] = "; ".join(work.all_notes)
    return item


def csl_json(work: Work) -> str:
    return json.dumps([csl_item(work)], ensure_ascii=False, indent=2) + "\n"


# --- Registry of formats ----------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    slug: str
    label: str
    render: object  # Callable[[Work], str]
    content_type: str
    extension: str


FORMATS: dict[str, Format] = {
    f.slug: f
    for f in (
        Format("gbt7714", "GB/T 7714-2015", gbt7714, "text/plain; charset=utf-8", "txt"),
        Format("apa", "APA 7", apa, "text/plain; charset=utf-8", "txt"),
        Format("bibtex", "BibTeX", bibtex, "application/x-bibtex; charset=utf-8", "bib"),
        Format("ris", "RIS", ris, "application/x-research-info-systems; charset=utf-8", "ris"),
        Format(
            "csl-json",
            "CSL-JSON",
            csl_json,
            "application/vnd.citationstyles.csl+json; charset=utf-8",
            "json",
        ),
    )
}


def render(work: Work, fmt: str) -> str:
    return FORMATS[fmt].render(work)  # type: ignore[operator]


def filename(work: Work, fmt: str) -> str:
    suffix = "-gbt7714" if fmt == "gbt7714" else "-apa" if fmt == "apa" else ""
    return f"{work.key}{suffix}.{FORMATS[fmt].extension}"

"""The search index: one document per section of the current version of a published report.

A section (not a whole report) is the unit, so that hits point at a place in the text and
snippets are cut from short stored texts (docs/performance-notes.md). Each document stands for
the section's own text (search.units), carries the place chain, year, kinds and ids as
filterable fields, and stores what the result page shows so a page of hits needs no query to
the database.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable

from django.db.models import F
from haystack import indexes

from archive.models import Paragraph, Report, ReportStatus, Section, SectionKind
from search.units import section_units


class CharsField(indexes.CharField):
    """Every character with its position, for exact substring matches of any length. The
    Whoosh backend keeps this field in the recall index (search.recall, SQLite FTS5) rather
    than in Whoosh; another engine indexes it as character tokens."""

    field_type = "cjk_chars"


class KeywordField(indexes.CharField):
    """An exact, untokenized value; `column=True` keeps it in a column for fast facets."""

    field_type = "keyword_id"

    def __init__(self, column: bool = False, **kwargs):
        self.column = column
        super().__init__(**kwargs)


def place_keys(place) -> list[str]:
    """What a `place` filter may name for a report of `place`: it and every place above it,
    by full name, short name and code ("天津市" finds its districts)."""
    if place is None:
        return []
    keys: list[str] = []
    for p in [*place.ancestors(), place]:
        for key in (p.full_name, p.name, p.code):
            if key and key not in keys:
                keys.append(key)
    return keys


# A text in which the pipeline found no sections (a resolution, a short notice, an old report
# without headings) is indexed as one document standing for its whole text. That document
# has no Section row, so it is numbered apart from section ids: this base plus the version's
# id, within the index's unsigned 32-bit integer fields and far above any section id.
WHOLE_TEXT_ID_BASE = 2**31


def whole_text_section(version) -> Section:
    """An unsaved Section covering all of `version`'s text, for a text without sections."""
    section = Section(
        version=version,
        anchor="",
        order=0,
        level=0,
        title=version.report.title or "",
        kind=SectionKind.OTHER,
        start=0,
        end=len(version.text),
    )
    section.pk = whole_text_id(version.pk)
    return section


def whole_text_id(version_pk: int) -> int:
    return WHOLE_TEXT_ID_BASE + version_pk


# A line ending in one of these ends a sentence (or a clause a phrase should not cross).
SENTENCE_END = set("。！？；：…”’」』》）)!?;:")
_BREAK = re.compile(r"[ \t\u3000]*\n\s*")


def soften_breaks(text: str, heading_starts: Iterable[int] = ()) -> str:
    """`text` with the line breaks that fall inside a sentence turned into spaces (same
    length, so every offset holds): a text wrapped by hand or transcribed from print breaks
    lines mid-sentence, and a phrase across such a break must still match, while a break
    after a sentence, a heading or before one stays a boundary no match crosses. (The index
    normalisation drops a space between Chinese characters.)"""
    headings = set(heading_starts)
    line_starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    heading_lines = {bisect.bisect_right(line_starts, h) - 1 for h in headings}
    out, pos = [], 0
    for i, m in enumerate(_BREAK.finditer(text)):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (
            before
            and after
            and before not in SENTENCE_END
            and _is_han(before)
            and _is_han(after)
            and i not in heading_lines
            and i + 1 not in heading_lines
        ):
            out.append(text[pos : m.start()])
            out.append(" " * (m.end() - m.start()))
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in "，、"


def attach_units(version, sections: list[Section]) -> None:
    """Give each section of one version its unit text and paragraph map, computed once."""
    units = section_units(len(version.text), sections)
    text = soften_breaks(version.text, [s.start for s in sections])
    paragraphs = list(
        Paragraph.objects.filter(version=version).values_list("number", "start", "end")
    )
    for section in sections:
        unit = units[section.pk]
        section.version = version
        section.search_unit = unit
        section.search_unit_text = unit.text(text)
        section.search_paragraphs = [
            [n, s, e]
            for n, s, e in paragraphs
            if any(s < ue and e > us for us, ue in unit.segments)
        ]


class SectionIndex(indexes.SearchIndex, indexes.Indexable):
    # jieba words of title and text, for ranking (template: search/indexes/archive/section_text.txt)
    text = indexes.CharField(document=True, use_template=True)
    title = indexes.CharField(model_attr="title", boost=2.0)
    # recall: exact substring matches of any length, one character included
    chars = CharsField()
    section = indexes.IntegerField(model_attr="pk")  # links recall rows to index documents
    # filters and facets
    place = KeywordField(column=True, null=True)
    places = indexes.MultiValueField()
    year = indexes.IntegerField(null=True)
    doc_type = KeywordField(column=True)
    kind = KeywordField(column=True, model_attr="kind")
    report = KeywordField(column=True)  # pk: all of a report's documents go at once
    version = KeywordField()
    length = indexes.IntegerField()  # characters of the section's own text (trend rates)
    updated = indexes.CharField(indexed=False)  # the report's updated_at, ISO 8601 (drift check)
    # display only
    body = indexes.CharField(indexed=False)
    report_pid = indexes.CharField(indexed=False)
    report_title = indexes.CharField(indexed=False)  # keyword-in-context exports
    version_number = indexes.IntegerField(indexed=False)
    anchor = indexes.CharField(model_attr="anchor", indexed=False)
    order = indexes.IntegerField(model_attr="order", indexed=False)
    segments = indexes.CharField(indexed=False)
    paragraphs = indexes.CharField(indexed=False)

    def get_model(self):
        return Section

    def index_queryset(self, using=None):
        # Sections of the current version of published reports. The version text is long:
        # it is loaded once per version by attach_units, not once per section row.
        return (
            Section.objects.filter(
                version__report__status=ReportStatus.PUBLISHED,
                version__report__current_version=F("version"),
            )
            .select_related("version__report__place")
            .defer("version__text")
            .order_by("version", "order")
        )

    def get_updated_field(self):
        return None  # the queue (search.models.IndexChange) drives updates, not timestamps

    def _ensure_unit(self, obj: Section) -> None:
        if not hasattr(obj, "search_unit"):
            version = obj.version
            if "text" in version.get_deferred_fields():
                version.refresh_from_db(fields=["text"])
            siblings = list(Section.objects.filter(version=version))
            attach_units(version, siblings)
            twin = next(s for s in siblings if s.pk == obj.pk)
            for attr in ("search_unit", "search_unit_text", "search_paragraphs"):
                setattr(obj, attr, getattr(twin, attr))

    def prepare(self, obj):
        self._ensure_unit(obj)
        return super().prepare(obj)

    @staticmethod
    def _report(obj: Section) -> Report:
        return obj.version.report

    def prepare_chars(self, obj):
        return obj.search_unit_text

    prepare_body = prepare_chars

    def prepare_length(self, obj):
        return len(obj.search_unit_text)

    def prepare_place(self, obj):
        # Every document writes every column field: Whoosh's column readers fail on a
        # segment whose last documents lack a value. "" = place unknown, 0 = year unknown.
        place = self._report(obj).place
        return place.full_name if place else ""

    def prepare_places(self, obj):
        report = self._report(obj)
        if not hasattr(report, "_search_place_keys"):
            report._search_place_keys = place_keys(report.place)
        return report._search_place_keys

    def prepare_year(self, obj):
        return self._report(obj).year or 0

    def prepare_doc_type(self, obj):
        return self._report(obj).doc_type

    def prepare_report(self, obj):
        return str(self._report(obj).pk)

    def prepare_report_pid(self, obj):
        return self._report(obj).public_id

    def prepare_report_title(self, obj):
        return self._report(obj).title

    def prepare_version(self, obj):
        return str(obj.version_id)

    def prepare_version_number(self, obj):
        return obj.version.number

    def prepare_updated(self, obj):
        return self._report(obj).updated_at.isoformat()

    def prepare_segments(self, obj):
        return json.dumps(obj.search_unit.segments)

    def prepare_paragraphs(self, obj):
        return json.dumps(obj.search_paragraphs)

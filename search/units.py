"""What text of a report version each indexed section stands for. Framework-free.

Sections form a tree and a parent's span contains its children's, so indexing every
section's whole span would count each sentence once per level. Each section instead stands
for its *own* text: its span minus its children's spans. Text outside every top-level section
(a preamble before the first heading, a tail after the last) goes to the nearest top-level
section, so that the units together cover the whole text and nothing is unsearchable.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search.highlight import Snippet


@dataclass(frozen=True)
class Unit:
    segments: tuple[tuple[int, int], ...]  # spans of the version text, in order

    def text(self, version_text: str) -> str:
        # Segments are separated by a line break: a match never spans two of them.
        return "\n".join(version_text[s:e] for s, e in self.segments)

    def to_version_offset(self, offset: int) -> int:
        """Map an offset into `text()` back to an offset into the version text."""
        pos = 0
        for s, e in self.segments:
            length = e - s
            if offset <= pos + length:
                return s + (offset - pos)
            pos += length + 1
        return self.segments[-1][1] if self.segments else 0


def section_units(text_length: int, sections: list) -> dict:
    """{section.pk: Unit} for objects with pk, parent_id, start, end (one version)."""
    children: dict = {}
    for s in sections:
        children.setdefault(s.parent_id, []).append(s)
    units: dict = {}
    for s in sections:
        spans = [(s.start, s.end)]
        for c in sorted(children.get(s.pk, []), key=lambda c: c.start):
            spans = _subtract(spans, c.start, c.end)
        units[s.pk] = spans
    tops = sorted(children.get(None, []), key=lambda s: (s.start, s.end))
    if tops:
        covered = sorted((s.start, s.end) for s in tops)
        gaps, pos = [], 0
        for start, end in covered:
            if start > pos:
                gaps.append((pos, start))
            pos = max(pos, end)
        if pos < text_length:
            gaps.append((pos, text_length))
        for gap in gaps:
            # The top-level section just after the gap takes it, or else the last one.
            owner = next((s for s in tops if s.start >= gap[1]), tops[-1])
            units[owner.pk] = sorted(units[owner.pk] + [gap])
    return {pk: Unit(tuple(_merge(spans))) for pk, spans in units.items()}


def _subtract(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        if end <= s or start >= e:
            out.append((s, e))
            continue
        if s < start:
            out.append((s, start))
        if end < e:
            out.append((end, e))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def version_offsets(segments_json: str | None, spans: list[tuple[int, int]]) -> list:
    try:
        unit = Unit(tuple(tuple(s) for s in json.loads(segments_json or "[]")))
    except ValueError:
        return []
    if not unit.segments:
        return []
    return [(unit.to_version_offset(s), unit.to_version_offset(s) + (e - s)) for s, e in spans]


def best_paragraph(fields: dict, snip: Snippet) -> int | None:
    """The paragraph holding the most marks (the snippet's paragraph on a tie)."""
    try:
        paragraphs = json.loads(fields.get("paragraphs") or "[]")
        unit = Unit(tuple(tuple(s) for s in json.loads(fields.get("segments") or "[]")))
    except ValueError:
        return None
    if not paragraphs or not unit.segments:
        return None
    starts = [p[1] for p in paragraphs]

    def para_at(unit_offset: int) -> int | None:
        v = unit.to_version_offset(unit_offset)
        i = bisect.bisect_right(starts, v) - 1
        if i >= 0 and paragraphs[i][1] <= v < paragraphs[i][2]:
            return paragraphs[i][0]
        return None

    counts = Counter(p for p in (para_at(s) for s, _ in snip.occurrences) if p is not None)
    first = para_at(
        snip.start + (len(snip.pieces[0][0]) if snip.pieces and not snip.pieces[0][1] else 0)
    )
    if counts:
        top = max(counts.values())
        if first in counts and counts[first] == top:
            return first
        return next(p for p, c in counts.most_common() if c == top)
    return first if first is not None else paragraphs[0][0] if len(paragraphs) == 1 else first

"""What text of a report version each indexed section stands for. Framework-free.

Sections form a tree and a parent's span contains its children's, so indexing every
section's whole span would count each sentence once per level. Each section instead stands
for its *own* text: its span minus its children's spans. Text outside every top-level section
(a preamble before the first heading, a tail after the last) goes to the nearest top-level
section, so that the units together cover the whole text and nothing is unsearchable.
"""

from __future__ import annotations

from dataclasses import dataclass


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

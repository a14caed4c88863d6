"""Turning a version's text into the blocks a report page shows: paragraphs with anchors,
section headings, and the reader's search terms marked.

Plain functions over offsets; templates escape every piece of document text, so nothing
from an uploaded file is ever rendered as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_MARK_TERMS = 10


@dataclass
class Block:
    number: int  # paragraph number (anchor p<number>)
    pieces: list[tuple[str, bool]]  # (text, marked)
    anchors: list[str] = field(default_factory=list)  # section anchors starting here
    is_heading: bool = False


def mark_terms(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """Split `text` into (piece, marked) with every occurrence of the reader's search terms
    marked — found with the search index's own normalisation (traditional = simplified,
    full-width = half-width, stray spaces ignored), so a hit's marks match its snippet."""
    from search.highlight import mark_text

    terms = [t for t in (t.strip() for t in terms) if t][:MAX_MARK_TERMS]
    if not terms or not text:
        return [(text, False)]
    return mark_text(text, terms)


def build_blocks(text: str, paragraphs, sections, terms: list[str]) -> list[Block]:
    """One block per paragraph, with the anchors of the sections that start inside it."""
    starts: dict[int, list] = {}
    ordered = sorted(sections, key=lambda s: (s.start, s.level))
    para_list = list(paragraphs)
    for s in ordered:
        target = next((p.number for p in para_list if p.start <= s.start < max(p.end, p.start + 1)),
                      None)
        if target is None:
            target = next((p.number for p in para_list if p.start >= s.start), None)
        if target is not None:
            starts.setdefault(target, []).append(s)
    blocks = []
    for p in para_list:
        body = text[p.start:p.end]
        here = starts.get(p.number, [])
        heading = any(s.title and s.start >= p.start and len(body.strip()) <= len(s.title) + 8
                      for s in here)
        blocks.append(Block(number=p.number, pieces=mark_terms(body, terms),
                            anchors=[s.anchor for s in here], is_heading=heading))
    return blocks

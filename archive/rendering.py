"""Turning a version's text into the blocks a report page shows: paragraphs with anchors,
section headings, and the reader's search terms marked.

Plain functions over offsets; templates escape every piece of document text, so nothing
from an uploaded file is ever rendered as HTML.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MAX_MARK_TERMS = 10


@dataclass
class Block:
    number: int  # paragraph number (anchor p<number>)
    pieces: list[tuple[str, bool]]  # (text, marked)
    anchors: list[str] = field(default_factory=list)  # section anchors starting here
    is_heading: bool = False


def fold(ch: str) -> str:
    """Compare characters as a reader would: full-width = half-width, case-insensitive."""
    return unicodedata.normalize("NFKC", ch).lower()


def mark_terms(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """Split `text` into pieces, marking every occurrence of any term (folded comparison)."""
    terms = [t for t in (t.strip() for t in terms) if t][:MAX_MARK_TERMS]
    if not terms or not text:
        return [(text, False)]
    folded = [fold(ch) for ch in text]
    flat = "".join(folded)
    # Map folded offsets back to original character offsets (NFKC can change lengths).
    starts, pos = [], 0
    for piece in folded:
        starts.append(pos)
        pos += len(piece)
    starts.append(pos)
    back = {s: i for i, s in enumerate(starts)}
    marked = [False] * len(text)
    for term in terms:
        needle = "".join(fold(ch) for ch in term)
        i = flat.find(needle)
        while i >= 0:
            a, b = back.get(i), back.get(i + len(needle))
            if a is not None and b is not None:
                for k in range(a, b):
                    marked[k] = True
            i = flat.find(needle, i + 1)
    pieces: list[tuple[str, bool]] = []
    run_start = 0
    for k in range(1, len(text) + 1):
        if k == len(text) or marked[k] != marked[run_start]:
            pieces.append((text[run_start:k], marked[run_start]))
            run_start = k
    return pieces


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

"""Turning a version's text into the blocks a report page shows: paragraphs with anchors,
section headings, and the reader's search terms marked.

Plain functions over offsets; templates escape every piece of document text, so nothing
from an uploaded file is ever rendered as HTML.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

MAX_MARK_TERMS = 10
# A report page shows this many paragraphs; a report of any size is read in pages, and a
# #p<k> (or section) link opens the page that holds it (?at=<anchor>).
PARAGRAPHS_PER_PAGE = 300


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
    # Paragraphs follow the text, so the one holding a section's start is found by bisection
    # (a scan per section made a 100,000-line report's page take seconds).
    by_start = sorted(para_list, key=lambda p: p.start)
    para_starts = [p.start for p in by_start]
    for s in ordered:
        target = None
        i = bisect.bisect_right(para_starts, s.start) - 1
        if i >= 0 and s.start < max(by_start[i].end, by_start[i].start + 1):
            target = by_start[i].number
        elif (j := bisect.bisect_left(para_starts, s.start)) < len(by_start):
            target = by_start[j].number  # a heading between paragraphs: the next one
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


@dataclass
class TextPage:
    number: int
    count: int
    paragraphs: list
    sections: list  # the sections whose anchors fall on this page

    @property
    def first_number(self) -> int | None:
        return self.paragraphs[0].number if self.paragraphs else None

    @property
    def last_number(self) -> int | None:
        return self.paragraphs[-1].number if self.paragraphs else None

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_count(paragraph_count: int) -> int:
    return max(1, -(-paragraph_count // PARAGRAPHS_PER_PAGE))


def page_of_paragraph(number: int) -> int:
    return max(1, (number - 1) // PARAGRAPHS_PER_PAGE + 1)


def page_of_offset(paragraphs, offset: int) -> int:
    """The page holding the first paragraph that ends after `offset` (a section's start).
    `paragraphs`: a list ordered by number, or a queryset (then one query)."""
    if not isinstance(paragraphs, list):
        first = paragraphs.filter(end__gt=offset).order_by("number").first()
        return page_of_paragraph(first.number) if first else page_count(paragraphs.count())
    for p in paragraphs:
        if p.end > offset:
            return page_of_paragraph(p.number)
    return page_count(len(paragraphs))


def text_page(paragraphs, sections: list, number: int) -> TextPage:
    """Page `number` (clamped) of a version's paragraphs, with the sections that start after
    the previous page's last paragraph and before this page's end: build_blocks anchors each
    to the paragraph holding it, or the next one. `paragraphs` is a list ordered by number or
    a queryset ordered by number: a queryset loads only this page (a report of 100,000
    paragraphs is read 300 at a time)."""
    total = len(paragraphs) if isinstance(paragraphs, list) else paragraphs.count()
    count = page_count(total)
    number = min(max(1, number), count)
    lo = (number - 1) * PARAGRAPHS_PER_PAGE
    chunk = list(paragraphs[lo:lo + PARAGRAPHS_PER_PAGE])
    if not chunk:
        return TextPage(number, count, [], list(sections))
    after = paragraphs[lo - 1].end if lo else None
    until = chunk[-1].end if number < count else None
    on_page = [s for s in sections
               if (after is None or s.start >= after) and (until is None or s.start < until)]
    return TextPage(number, count, chunk, on_page)

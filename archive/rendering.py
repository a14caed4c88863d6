"""Turning a version's text into the blocks a report page shows: paragraphs with anchors,
section headings, and the reader's search terms marked.

Plain functions over offsets; templates escape every piece of document text, so nothing
from an uploaded file is ever rendered as HTML.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

MAX_MARK_TERMS = 10
# A report page shows this many paragraphs at most, and no more than PAGE_CHARACTERS of
# text (a flattened 10 MB text has paragraphs of 40,000 characters: 300 of them made a 10 MB
# page); a report of any size is read in pages, and a #p<k> (or section) link opens the page
# that holds it (?at=<anchor>).
PARAGRAPHS_PER_PAGE = 300
PAGE_CHARACTERS = 100_000
# A single paragraph longer than this (one line of megabytes with no break the pipeline can
# cut at) is shown up to here, with a note; the whole text is in the original file.
PARAGRAPH_CHARACTERS = PAGE_CHARACTERS


@dataclass
class Block:
    number: int  # paragraph number (anchor p<number>)
    pieces: list[tuple[str, bool]]  # (text, marked)
    anchors: list[str] = field(default_factory=list)  # section anchors starting here
    is_heading: bool = False
    full_length: int | None = None  # set when the paragraph is shown cut at PARAGRAPH_CHARACTERS


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
        full = p.end - p.start
        body = text[p.start : p.start + min(full, PARAGRAPH_CHARACTERS)]
        here = starts.get(p.number, [])
        heading = any(
            s.title and s.start >= p.start and len(body.strip()) <= len(s.title) + 8 for s in here
        )
        blocks.append(
            Block(
                number=p.number,
                pieces=mark_terms(body, terms),
                anchors=[s.anchor for s in here],
                is_heading=heading,
                full_length=full if full > PARAGRAPH_CHARACTERS else None,
            )
        )
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


@dataclass
class Paging:
    """Where each page of a version's paragraphs begins: a new page after
    PARAGRAPHS_PER_PAGE paragraphs or before the one that would take it past PAGE_CHARACTERS
    (a page always holds at least one paragraph)."""

    firsts: list[int]  # index (0-based, in paragraph order) of each page's first paragraph
    ends: list[int]  # each paragraph's end offset, in paragraph order

    @property
    def count(self) -> int:
        return max(1, len(self.firsts))

    def page_of_index(self, index: int) -> int:
        return max(1, bisect.bisect_right(self.firsts, max(0, index)))

    def bounds(self, number: int) -> tuple[int, int]:
        """[lo, hi) paragraph indexes of page `number` (1-based, already clamped)."""
        if not self.firsts:
            return 0, 0
        lo = self.firsts[number - 1]
        hi = self.firsts[number] if number < len(self.firsts) else len(self.ends)
        return lo, hi


def paging_of(spans: list[tuple[int, int]]) -> Paging:
    """`spans`: (start, end) of every paragraph, in paragraph order."""
    firsts: list[int] = []
    count = size = 0
    for i, (start, end) in enumerate(spans):
        length = end - start
        if not firsts or count >= PARAGRAPHS_PER_PAGE or size + length > PAGE_CHARACTERS:
            firsts.append(i)
            count = size = 0
        count += 1
        size += length
    return Paging(firsts, [end for _, end in spans])


def paging_for(paragraphs) -> Paging:
    """The paging of a version's paragraphs: a list ordered by number, or a queryset ordered
    by number (then one query of two numbers per paragraph)."""
    if isinstance(paragraphs, list):
        return paging_of([(p.start, p.end) for p in paragraphs])
    return paging_of(list(paragraphs.values_list("start", "end")))


def page_of_paragraph(paging: Paging, number: int) -> int:
    return paging.page_of_index(number - 1)


def page_of_offset(paging: Paging, offset: int) -> int:
    """The page holding the first paragraph that ends after `offset` (a section's start)."""
    index = bisect.bisect_right(paging.ends, offset)
    return paging.page_of_index(min(index, len(paging.ends) - 1)) if paging.ends else 1


def text_page(paragraphs, sections: list, number: int, paging: Paging | None = None) -> TextPage:
    """Page `number` (clamped) of a version's paragraphs, with the sections that start after
    the previous page's last paragraph and before this page's end: build_blocks anchors each
    to the paragraph holding it, or the next one. `paragraphs` is a list ordered by number or
    a queryset ordered by number: a queryset loads only this page's rows (a report of 100,000
    paragraphs is read a page at a time)."""
    paging = paging or paging_for(paragraphs)
    count = paging.count
    number = min(max(1, number), count)
    lo, hi = paging.bounds(number)
    chunk = list(paragraphs[lo:hi]) if hi > lo else []
    if not chunk:
        return TextPage(number, count, [], list(sections))
    after = paging.ends[lo - 1] if lo else None
    until = chunk[-1].end if number < count else None
    on_page = [
        s
        for s in sections
        if (after is None or s.start >= after) and (until is None or s.start < until)
    ]
    return TextPage(number, count, chunk, on_page)

"""Snippets and marks, computed from stored text. Framework-free.

Occurrences are found in the normalised text with the same normalisation as the index
(search.normalize), so what is marked is exactly what matched, and then mapped back to the
original characters. Whoosh's highlighter is never used: it re-tokenizes whole texts per hit.
A snippet is a list of (text, marked) pieces; the one place that makes HTML of it is
`Snippet.to_html()`, which escapes every piece and wraps the marked ones in <mark>.
`mark_text()` is the same for a whole text, for the report page's ?hl= marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.normalize import find_all, normalize, normalize_with_offset_map

SNIPPET_WIDTH = 110  # characters of context around the best passage


@dataclass
class Snippet:
    pieces: list[tuple[str, bool]] = field(default_factory=list)  # (text, is_mark)
    start: int = 0  # offsets into the text the snippet was cut from
    end: int = 0
    occurrences: list[tuple[int, int]] = field(default_factory=list)  # all marks, original offsets
    leading: bool = False  # text was cut before / after
    trailing: bool = False

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)

    @property
    def marked(self) -> list[str]:
        return [t for t, m in self.pieces if m]

    def to_html(self) -> str:
        """The snippet as HTML: every piece escaped, marks wrapped in <mark>."""
        from html import escape

        body = "".join(f"<mark>{escape(t)}</mark>" if m else escape(t) for t, m in self.pieces)
        return ("…" if self.leading else "") + body + ("…" if self.trailing else "")

    def plain(self) -> str:
        return ("…" if self.leading else "") + self.text + ("…" if self.trailing else "")


def occurrences(norm: str, terms: list[str]) -> list[tuple[int, int, int]]:
    """Non-overlapping occurrences (start, end, term index) in normalised text: at a given
    place the longest term wins, so every mark is exactly one occurrence of one term."""
    found = []
    for ti, term in enumerate(terms):
        if not term:
            continue
        for i in find_all(norm, term):
            found.append((i, i + len(term), ti))
    found.sort(key=lambda o: (o[0], -(o[1] - o[0])))
    out, last_end = [], -1
    for o in found:
        if o[0] >= last_end:
            out.append(o)
            last_end = o[1]
    return out


def _line_bounds(norm: str, i: int) -> tuple[int, int]:
    start = norm.rfind("\n", 0, i) + 1
    end = norm.find("\n", i)
    return start, len(norm) if end == -1 else end


def make_snippet(text: str, terms: list[str], width: int = SNIPPET_WIDTH) -> Snippet:
    """The best passage of `text` for `terms` (normalised), with every occurrence marked."""
    norm, omap = normalize_with_offset_map(text)  # a few offsets are looked up, not all
    occ = occurrences(norm, terms)
    if not occ:
        end = min(len(text), width)
        return Snippet([(text[:end].replace("\n", " "), False)], 0, end, [], False, end < len(text))
    # The window (within one line) with the most distinct terms, then the most occurrences.
    best, best_key = None, None
    starts = [o[0] for o in occ]
    import bisect

    for k, (s, _, _) in enumerate(occ[:300]):
        ls, le = _line_bounds(norm, s)
        ws = max(ls, s - width // 3)
        we = min(le, ws + width)
        ws = max(ls, min(ws, we - width))
        lo, hi = bisect.bisect_left(starts, ws), bisect.bisect_left(starts, we)
        inside = [o for o in occ[lo:hi] if o[1] <= we]
        key = (len({o[2] for o in inside}), len(inside), -k)
        if best_key is None or key > best_key:
            best, best_key = (ws, we, inside), key
    ws, we, inside = best
    o_start, o_end = omap[ws], (omap[we - 1] + 1 if we > ws else omap[ws])
    pieces: list[tuple[str, bool]] = []
    pos = o_start
    for s, e, _ in inside:
        ms, me = omap[s], omap[e - 1] + 1
        if ms > pos:
            pieces.append((text[pos:ms], False))
        pieces.append((text[ms:me], True))
        pos = me
    if o_end > pos:
        pieces.append((text[pos:o_end], False))
    pieces = [(t.replace("\n", " "), m) for t, m in pieces if t]
    all_occ = [(omap[s], omap[e - 1] + 1) for s, e, _ in occ]
    return Snippet(pieces, o_start, o_end, all_occ, o_start > 0, o_end < len(text.rstrip()))


def mark_text(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The whole of `text` as (text, is_mark) pieces, every occurrence of `terms` marked
    (for the report page: `terms` are the ?hl= values, see archive.views._highlight_terms)."""
    norm, omap = normalize_with_offset_map(text)
    # The terms get the index's normalisation too: a hand-made or shared link (?hl=GDP,
    # ?hl=營商環境, ?hl=６.５％) marks what a search for the same words finds.
    wanted = [n for n in (normalize(t).strip() for t in terms) if n]
    pieces, pos = [], 0
    for s, e, _ in occurrences(norm, wanted):
        ms, me = omap[s], omap[e - 1] + 1
        if ms > pos:
            pieces.append((text[pos:ms], False))
        pieces.append((text[ms:me], True))
        pos = me
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def mark_html(text: str, terms: list[str]) -> str:
    """`text` escaped as HTML with <mark> around every occurrence of `terms`."""
    from html import escape

    return "".join(
        f"<mark>{escape(t)}</mark>" if m else escape(t) for t, m in mark_text(text, terms)
    )

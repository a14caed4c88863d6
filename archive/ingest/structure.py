"""Cleaned lines -> text, a section tree and numbered paragraphs.

Heading styles, by rank (a smaller rank encloses a larger one):
  0  part headings without number ("2015年主要工作回顾", "附注")
  1  一、   2  （一）/(一)   3  1. / 1、   4  （1）/(1)
  2.5 unnumbered headline lines (short, no sentence punctuation, between body paragraphs)
  5  一是…二是… groups inside flattened running text (one very long line)
The letter-spaced title ("政 府 工 作 报 告") is recognised as the document title, not a section.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .result import Paragraph, Section

CN_NUM = "一二三四五六七八九十百零〇两"
TERMINAL = "。！？；：!?;:…"
END_PUNCT = TERMINAL + "”」』）)\"'"

PART_NO = re.compile(rf"^第([{CN_NUM}]{{1,3}})(?:部分|篇)(?=$|[\s　：:、])")
H1 = re.compile(rf"^([{CN_NUM}]{{1,3}})\s*[、，,．.]\s*(?=\S)")
H2 = re.compile(rf"^[（(]\s*([{CN_NUM}]{{1,3}})\s*[)）]\s*[、，,．.]?\s*(?=\S)")
H3 = re.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*(?=\S)")
H4 = re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*(?=\S)")
CIRCLED = re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(?=\S)")
LETTER_SPACED = re.compile(r"^[\u4e00-\u9fff](?:[ \u3000\t]+[\u4e00-\u9fff]){2,}$")
PART = re.compile(
    r"^(?:[\d一二三四五六七八九十〇零]{4}年|过去(?:一|的一|五)年|今年|明年|“十[一二三四五六七八九十]+五”.{0,12}?)?.{0,16}?"
    r"(?:的?回顾|工作回顾|主要工作回顾|工作总结|工作任务|主要任务|工作安排|工作部署|工作建议|工作重点|重点工作|主要工作|主要预期目标|总体要求|发展目标|目标任务)$"
)
GLOSSARY = re.compile(
    r"^(?:附注|附：?名词解释|名词解释|注释|附件[:：]?名词解释|附[：:]?注|词语解释|有关名词解释|本报告用语解释)\s*[:：]?\s*$"
)
FOOTNOTES = re.compile(r"^\s*(?:\[\s*[①②③④⑤⑥⑦⑧⑨⑩\d]+\s*\]|[①②③④⑤⑥⑦⑧⑨⑩])\s*\S")
INLINE_SHI = re.compile(rf"([{CN_NUM}]{{1,2}})是")
ORDINALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
]


from .textnorm import fold_width  # noqa: E402 - the cheap full-width fold


def _is_heading_pattern(s: str) -> bool:
    return bool(
        H1.match(s) or H2.match(s) or H4.match(s) or PART.match(fold_width(s)) or GLOSSARY.match(s)
    )


# Heading patterns look at the start of a line and a part heading is short, so a joined line's
# first characters decide whether it is a heading; looking at more would only cost time.
_HEAD_WINDOW = 400


def _head_of(pieces: list[str]) -> str:
    head, size = [], 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size >= _HEAD_WINDOW:
            break
    return "".join(head)[:_HEAD_WINDOW]


def reflow(lines: list[str], aggressive: bool = False) -> list[str]:
    """Re-join lines that were broken inside a sentence (wiki link fragments, PDF line wraps).

    A line is joined to the previous one when the previous one is long body text that does not
    end a sentence, or when it starts with closing punctuation. Headings are never joined.
    """
    out: list[str] = []
    # The last line of `out` is built from pieces joined once at the end: appending to one
    # string per wrapped line copies it every time, quadratic for a long text of short lines.
    pieces: list[str] = []
    piece_len = 0
    # how many lines at the start of `out` are blank: "is the previous line the first text
    # line?" is then one comparison, not a scan of everything before it
    leading_blank = 0

    def close() -> None:
        nonlocal piece_len
        if pieces:
            out.append("".join(pieces))
            pieces.clear()
            piece_len = 0

    for raw in lines:
        line = raw.strip().strip("\u200b\ufeff\u200c\u200d").strip()
        if not line:
            close()
            out.append("")
            if leading_blank == len(out) - 1:
                leading_blank += 1
            continue
        if pieces:  # never across a blank line: `pieces` is empty after one
            # never onto the document's first line (its title) when that is short
            is_short_title = leading_blank >= len(out) and piece_len <= 80
            if not is_short_title and _continues(pieces, piece_len, line, aggressive):
                pieces.append(line)
                piece_len += len(line)
                continue
            close()
        # a line after a blank one (a paragraph break) or one not joined starts a new line
        pieces.append(line)
        piece_len = len(line)
    close()
    return _one_blank_at_most(out)


def _continues(pieces: list[str], piece_len: int, line: str, aggressive: bool) -> bool:
    """Whether `line` goes on with the line built from `pieces` (a sentence broken over lines):
    it opens with closing punctuation, the line before ends open, or that one is long body text
    that ends no sentence (shorter in a PDF, whose lines wrap at the page's width)."""
    prev_head = pieces[0] if len(pieces) == 1 else _head_of(pieces)
    prev_last = pieces[-1][-1]
    starts_closing = line[0] in "，。、；：）》」』”,.;:)!?！？%％"
    prev_open = prev_last in "《「『“（(，、—-"
    long_unterminated = prev_last not in END_PUNCT and (
        piece_len >= (15 if aggressive else 40)
        or (piece_len >= 12 and re.search(r"[，,、]", prev_head[2:]) is not None)
    )
    return (
        (starts_closing or prev_open or long_unterminated)
        and not _is_heading_pattern(line)
        and not _is_heading_pattern(prev_head)
        and not LETTER_SPACED.match(line)
    )


def _one_blank_at_most(out: list[str]) -> list[str]:
    """Blank runs collapsed to one blank line; none at the start or the end."""
    result: list[str] = []
    for line in out:
        if line == "" and (not result or result[-1] == ""):
            continue
        result.append(line)
    while result and result[-1] == "":
        result.pop()
    return result


@dataclass
class _Head:
    rank: float
    number: str | None
    title: str
    start: int
    kind_hint: str | None = None
    whole_line: bool = True


def _title_from(rest: str) -> tuple[str, bool]:
    """Title of a heading line: the whole line if short, else its lead sentence."""
    rest = rest.strip()
    m = re.search(r"[。！？!?]", rest)
    if m and m.end() < len(rest.rstrip()):
        return rest[: m.start()].strip(), False
    if len(rest) > 80:
        m2 = re.search(r"[；;：:]", rest)
        cut = m2.start() if m2 and m2.start() < 80 else 60
        return rest[:cut].strip(), False
    return rest.rstrip("。．.！!；;：:").strip(), True


def _line_heads(
    line: str, start: int, body_started: bool, prev_line: str, next_line: str, in_glossary: bool
) -> list[_Head]:
    s = line.strip()
    n = fold_width(s)
    if not s:
        return []
    if GLOSSARY.match(n) or (len(n) <= 12 and n.rstrip(":：") in {"附注", "注释", "名词解释"}):
        return [_Head(0, None, s.rstrip(":："), start, "glossary")]
    if in_glossary:
        return []
    numbered = _numbered_head(s, start)
    if numbered is not None:
        return [numbered]
    if len(n) <= 40 and PART.match(n) and not any(c in n for c in "。；;，,"):
        return [_Head(0, None, s, start)]
    if body_started and _is_headline(s, n, prev_line, next_line):
        return [_Head(2.5, None, s, start)]
    return []


def _has_title(s: str, m: re.Match) -> bool:
    return len(s) > m.end() + 1


def _h3_has_title(s: str, m: re.Match) -> bool:
    # "1.5亿元…", "3、4月份…": a number, not a heading
    return not re.match(r"^\d{1,2}\s*[、．.]\s*\d", s) and _has_title(s, m)


def _any_title(s: str, m: re.Match) -> bool:
    return True


# the numbered heading styles, tried in this order: (pattern, rank, how its number is written,
# whether what follows the number is a title)
NUMBERED_HEADINGS = (
    (H2, 2, "（{}）", _any_title),
    (H1, 1, "{}", _has_title),
    (H4, 4, "（{}）", _any_title),
    (H3, 3, "{}", _h3_has_title),
)


def _numbered_head(s: str, start: int) -> _Head | None:
    """A heading numbered 第一部分, 一、, （一）, 1. or （1）, or a bare 一 on a line of its own."""
    m = PART_NO.match(s)
    if m:
        rest = s[m.end() :].strip(" 　：:、")
        return _Head(0.5, f"第{m.group(1)}部分", rest or f"第{m.group(1)}部分", start)
    if re.fullmatch(rf"[{CN_NUM}]{{1,3}}", s):
        return _Head(1, s, s, start)
    for pattern, rank, numbering, has_title in NUMBERED_HEADINGS:
        m = pattern.match(s)
        if m and has_title(s, m):
            t, whole = _title_from(s[m.end() :])
            return _Head(rank, numbering.format(m.group(1)), t, start, whole_line=whole)
    return None


def _is_headline(s: str, n: str, prev_line: str, next_line: str) -> bool:
    """An unnumbered headline line between body paragraphs: short, no sentence punctuation,
    long body lines on both sides."""
    return bool(
        6 <= len(n) <= 40
        and n[-1] not in END_PUNCT + "，,、"
        and not re.search(r"[。；;！!？?]", n)
        and len(prev_line) >= 40
        and len(next_line) >= 40
        and re.search(r"[\u4e00-\u9fff]{4}", n)
        and not LETTER_SPACED.match(s)
    )


def _inline_heads(line: str, start: int) -> list[_Head]:
    """Sections inside one flattened line: groups of 一是…二是… announced by the sentence before them."""
    heads: list[_Head] = []
    expected = 0
    group_start = None
    for m in INLINE_SHI.finditer(line):
        num = m.group(1)
        if num == "一":
            # group title: the sentence that announces the enumeration
            before = line[: m.start()]
            cut = max(before.rfind(c) for c in "。.；;！!？?")
            # the announcing sentence is the one ending right before 一是
            prev_cut = max(before[:cut].rfind(c) for c in "。.；;！!？?") if cut > 0 else -1
            title = before[prev_cut + 1 : cut].strip() if cut > 0 else before.strip()[-40:]
            if cut > 0 and not title:
                title = before[max(0, cut - 40) : cut]
            gstart = start + prev_cut + 1 if cut > 0 else start + m.start()
            heads.append(_Head(1, None, title[:60] or "一是", gstart, None, False))
            expected = 1
            group_start = gstart
        elif group_start is not None and expected < len(ORDINALS) and num == ORDINALS[expected]:
            expected += 1
        else:
            continue
        rest = line[m.end() : m.end() + 80]
        tm = re.search(r"[。.；;！!？?，,]", rest)
        title = rest[: tm.start()] if tm else rest[:40]
        # "12.左右": a dot between digits is not a sentence end
        if tm and rest[tm.start()] == "." and tm.start() > 0 and rest[tm.start() - 1].isdigit():
            tm2 = re.search(r"[。；;！!？?，,]|\.(?!\d|左右|以上|以内)", rest[tm.start() + 1 :])
            title = rest[: tm.start() + 1 + tm2.start()] if tm2 else rest[:40]
        heads.append(
            _Head(2, f"{num}是", title.strip()[:60] or f"{num}是", start + m.start(), None, False)
        )
    if sum(1 for h in heads if h.rank == 2) < 3:
        return []
    return heads


_INLINE_H1 = re.compile(rf"(?:(?<=[。！？!?；;.\s”])|^)([{CN_NUM}]{{1,3}})、")
_INLINE_H2 = re.compile(rf"(?:(?<=[。！？!?；;.\s”])|^)[（(]([{CN_NUM}]{{1,3}})[)）]")
_TITLE_END = re.compile(r"(?:工作回顾|回顾|工作安排|工作任务|主要任务|总体要求|工作建议|预期目标)")


def _inline_numbered(line: str, start: int) -> list[_Head]:
    """一、… and （一）… headings run into the text of a flattened line, numbered in sequence."""
    heads: list[_Head] = []
    for rank, pat in ((1, _INLINE_H1), (2, _INLINE_H2)):
        expected = 0
        found: list[_Head] = []
        for m in pat.finditer(line):
            num = m.group(1)
            if num == "一" and rank == 2:
                expected = 0  # （一） restarts under every 一、
            if expected >= len(ORDINALS) or num != ORDINALS[expected]:
                continue
            expected += 1
            rest = line[m.end() : m.end() + 60]
            tm = _TITLE_END.search(rest[:40])
            if tm:
                title = rest[: tm.end()]
            else:
                em = re.search(r"[。；;！!？?]", rest)
                title = rest[: em.start()] if em and em.start() <= 40 else rest[:30]
            number = num if rank == 1 else f"（{num}）"
            found.append(_Head(rank, number, title.strip(), start + m.start(), None, False))
        if len(found) >= 2:
            heads.extend(found)
    return heads


def build(lines: list[str]) -> tuple[str, list[tuple[int, int]], list[_Head]]:
    """Join lines into the cleaned text; find heading candidates with their offsets."""
    text, spans = _joined(lines)
    heads: list[_Head] = []
    nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
    body_started = False
    in_glossary = False
    for k, i in enumerate(nonempty):
        line, start = lines[i], spans[i][0]
        prev_line = lines[nonempty[k - 1]].strip() if k else ""
        next_line = lines[nonempty[k + 1]].strip() if k + 1 < len(nonempty) else ""
        if len(line) > 1500:
            found = _flattened_line_heads(
                line, start, body_started, prev_line, next_line, in_glossary
            )
            if found:
                heads.extend(found)
                body_started = True
                continue
        if not in_glossary and k >= len(nonempty) * 0.6 and FOOTNOTES.match(line):
            heads.append(_Head(0, None, "脚注", start, "glossary", False))
            in_glossary = True
            continue
        found = _line_heads(line, start, body_started, prev_line, next_line, in_glossary)
        in_glossary = in_glossary or any(h.kind_hint == "glossary" for h in found)
        heads.extend(found)
        if len(line.strip()) >= 60 or fold_width(line).strip().startswith("各位代表"):
            body_started = True
    return text, spans, heads


def _joined(lines: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The lines joined by newlines, and the (start, end) of each in the joined text."""
    text_parts = []
    spans = []
    pos = 0
    for i, line in enumerate(lines):
        if i:
            text_parts.append("\n")
            pos += 1
        spans.append((pos, pos + len(line)))
        text_parts.append(line)
        pos += len(line)
    return "".join(text_parts), spans


def _flattened_line_heads(
    line: str, start: int, body_started: bool, prev_line: str, next_line: str, in_glossary: bool
) -> list[_Head]:
    """The headings inside one very long line (a text flattened to a line): 一是… groups and
    numbered headings run into the text; a heading the line itself starts with replaces any
    found at its start."""
    found = _inline_heads(line, start) + _inline_numbered(line, start)
    own = _line_heads(line, start, body_started, prev_line, next_line, in_glossary)
    if own:
        found = [h for h in found if h.start != start] + own
    return found


REVIEW = re.compile(
    r"回顾|过去(?:的)?(?:一|五|十)年|工作总结|总结|取得.{0,8}(?:成绩|成效|进展|成就)|(?:成绩|成就|成效)"
)
PLAN = re.compile(
    r"任务|安排|部署|计划|建议|打算|总体要求|工作重点|重点工作|主要工作|思路|举措|措施"
)
TARGETS = re.compile(r"预期目标|主要目标|目标任务|发展目标|主要指标|重点政务目标|奋斗目标")
PROBLEMS = re.compile(r"问题|困难|不足|短板|差距|挑战|隐患|矛盾")


def kind_of(title: str, year: int | None) -> str | None:
    t = fold_width(title)
    if re.match(r"^(?:附注|注释|名词解释|脚注)", t):
        return "glossary"
    if PROBLEMS.search(t) and len(t) <= 30 and not PLAN.search(t):
        return "problems"
    if TARGETS.search(t):
        return "targets"
    ym = re.search(r"(\d{4})年", t)
    if year and ym:
        y = int(ym.group(1))
        if y == year - 1 and not re.search(r"任务|安排|部署|计划|目标", t):
            return "review"
        if y == year and re.search(r"任务|安排|部署|计划|目标|工作|要求|建议", t):
            return "plan"
    if REVIEW.search(t):
        return "review"
    if re.search(r"任务|安排|部署|计划|建议|打算|总体要求", t):
        return "plan"
    return None


def default_kind(text: str, sections: list[Section], year: int | None) -> str | None:
    """Kind for sections whose titles say nothing: a text with no review part that announces
    targets or plans for its own year (an excerpt of the plan part, a news summary of it) is a plan."""
    if any(s.kind == "review" for s in sections) or not sections:
        return None
    first = min(s.start for s in sections)
    lead = fold_width(text[:first])
    if re.search(r"预期目标|工作总体要求|总体要求是|主要任务是|重点做好", lead) or (
        year and re.search(rf"{year}年[^。]{{0,30}}(?:将|要|计划|目标)", lead)
    ):
        return "plan"
    return None


def sections_from(text: str, heads: list[_Head], year: int | None) -> list[Section]:
    heads = sorted(heads, key=lambda h: (h.start, h.rank))
    sections: list[Section] = []
    stack: list[tuple[_Head, Section]] = []
    counters: dict[str | None, int] = {}
    for idx, h in enumerate(heads):
        while stack and stack[-1][0].rank >= h.rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        key = parent.anchor if parent else None
        counters[key] = counters.get(key, 0) + 1
        anchor = f"{parent.anchor}-{counters[key]}" if parent else f"s{counters[key]}"
        kind = (
            h.kind_hint
            or kind_of(h.title, year)
            or (parent.kind if parent and parent.kind != "other" else None)
            or "other"
        )
        # a plan section inside a review part keeps review, unless its own title says otherwise
        end = len(text)
        for later in heads[idx + 1 :]:
            if later.rank <= h.rank or later.kind_hint == "glossary":
                end = later.start
                break
        sec = Section(
            anchor=anchor,
            level=len(stack) + 1,
            number=h.number,
            title=h.title,
            kind=kind,
            start=h.start,
            end=end,
            parent=parent.anchor if parent else None,
        )
        # the end of a section never passes its parent's end
        if parent and sec.end > parent.end:
            sec.end = parent.end
        sections.append(sec)
        stack.append((h, sec))
    fallback = default_kind(text, sections, year)
    if fallback:
        for sec in sections:
            if sec.kind == "other":
                sec.kind = fallback
    return sections


def paragraphs_from(
    text: str, spans: list[tuple[int, int]], heads: list[_Head], sections: list[Section]
) -> list[Paragraph]:
    heading_lines = {h.start for h in heads if h.whole_line}
    inline_starts = sorted(h.start for h in heads if not h.whole_line)
    paras: list[Paragraph] = []
    pieces: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start or not text[start:end].strip() or start in heading_lines:
            continue
        # a flattened line is cut into paragraphs at its inline section starts; bisect keeps a
        # text of many lines with many inline heads linear (a scan per line was quadratic)
        lo = bisect.bisect_right(inline_starts, start)
        hi = bisect.bisect_left(inline_starts, end, lo)
        bounds = [start, *inline_starts[lo:hi], end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            if text[a:b].strip():
                pieces.append((a, b))
    owners = _innermost_by_start(sections, [a for a, _ in pieces])
    for number, ((a, b), inner) in enumerate(zip(pieces, owners, strict=True), 1):
        paras.append(
            Paragraph(number=number, start=a, end=b, section=inner.anchor if inner else None)
        )
    return paras


def _innermost_by_start(sections: list[Section], positions: list[int]) -> list[Section | None]:
    """For each position, the section holding it that starts last (on a tie, the later one in
    `sections`): one sweep over both in order instead of a scan of every section per position.

    Sections are pushed in (start, list order); the top of the stack is then the best candidate
    still open, and a section that has ended before a position has ended for every later one."""
    order = sorted(range(len(sections)), key=lambda i: sections[i].start)
    answers: list[Section | None] = [None] * len(positions)
    stack: list[Section] = []
    k = 0
    for p_index in sorted(range(len(positions)), key=positions.__getitem__):
        pos = positions[p_index]
        while k < len(order) and sections[order[k]].start <= pos:
            stack.append(sections[order[k]])
            k += 1
        # a section below the top may have ended too; it is popped once it surfaces
        while stack and stack[-1].end <= pos:
            stack.pop()
        answers[p_index] = stack[-1] if stack else None
    return answers


def letter_spaced_title(line: str) -> str | None:
    s = line.strip()
    if LETTER_SPACED.match(s):
        return re.sub(r"[ \u3000\t]+", "", s)
    return None

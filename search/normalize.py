"""One normalisation for indexed text, queries, snippets and the brute-force check.

Framework-free. Whatever is searched and whatever is indexed go through `normalize()`, so that
營商環境 finds 营商环境, ６.５％ finds 6.5%, and a letter-spaced title "政 府 工 作 报 告" finds
政府工作报告. `normalize_with_offsets()` gives the same string plus, for every normalised
character, the offset of the original character it came from: highlights are found in the
normalised text and marked in the original one.

The steps, all character by character (so offsets map back exactly):
1. traditional -> simplified, one character to one character, from OpenCC's TSCharacters
   table (archive.ingest.textnorm reads it once for the pipeline and the index;
   opencc-python-reimplemented ships it; the table, applied with str.translate, is
   ~30x faster than OpenCC's phrase converter and keeps lengths; phrase-level variants such
   as 乾隆 do not matter for matching because both sides go through the same table);
2. NFKC per character (full-width -> half-width, ① -> 1, ㎡ -> m2, ideographic space -> space);
3. lower case (Latin letters: GDP = gdp); variants folded (archive.ingest.textnorm.VARIANTS:
   〇/○, the dashes of a range 5-6% = 5—6% = 5–6%, 5～6% = 5〜6%);
4. whitespace: a run containing a line break becomes one "\n" (a hard boundary no match may
   cross); other runs are dropped next to a CJK character or at a line's edge, and otherwise
   become one space ("PM2.5 年均" -> "pm2.5年均", "new  york" -> "new york").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from archive.ingest import textnorm

_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003134f"
_WS_RUN = re.compile(r"\s+")
_CJK_CHAR = re.compile(f"[{_CJK}]")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], re.Pattern | None]:
    """(1:1 translation table, pattern of characters whose normal form is not one char)."""
    table: dict[int, str] = dict(textnorm.ts_characters())
    multi: list[str] = []
    # NFKC and lower case for every BMP character (and the CJK compatibility supplement)
    # whose result differs; the ones that change length are handled by the slow path.
    for cp in list(range(0x80, 0x10000)) + list(range(0x2F800, 0x2FA20)) + list(range(0x41, 0x5B)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = table.get(cp, chr(cp))
        out = unicodedata.normalize("NFKC", ch).lower()
        if out == chr(cp):
            continue
        if len(out) == 1:
            table[cp] = out
        else:
            table[cp] = out
            multi.append(chr(cp))
    for variant, folded in textnorm.VARIANTS.items():
        table[ord(variant)] = folded
    pattern = re.compile("[" + re.escape("".join(multi)) + "]") if multi else None
    return table, pattern


def _is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def _space_replacement(norm: str, m: re.Match) -> str:
    run = m.group()
    if "\n" in run or "\r" in run or "\u2028" in run or "\u2029" in run:
        return "\n"
    start, end = m.start(), m.end()
    before = norm[start - 1] if start > 0 else "\n"
    after = norm[end] if end < len(norm) else "\n"
    if before == "\n" or after == "\n" or _is_cjk(before) or _is_cjk(after):
        return ""
    return " "


@lru_cache(maxsize=64)
def normalize(text: str) -> str:
    """The normalised form of `text` (what is indexed and what queries are matched on).
    Cached: indexing normalises one section's text for several fields in a row."""
    return normalize_with_offsets(text, offsets=False)[0]


def normalize_with_offsets(text: str, offsets: bool = True) -> tuple[str, list[int] | None]:
    """Normalise `text`; with `offsets`, also return a list `o` where `o[i]` is the offset in
    `text` of the character that normalised character i came from (len(o) = len(norm) + 1,
    the last entry being len(text), so a span [i, j) maps to [o[i], o[j-1] + 1))."""
    table, multi = _tables()
    if multi is not None and multi.search(text):
        pieces, origin = [], []
        for i, ch in enumerate(text):
            out = table.get(ord(ch), ch)
            pieces.append(out)
            origin.extend([i] * len(out))
        mapped = "".join(pieces)
    else:
        mapped = text.translate(table)
        origin = None  # identity
    # Whitespace: build the result and the offset map from the runs.
    parts: list[str] = []
    omap: list[int] = [] if offsets else None
    pos = 0
    for m in _WS_RUN.finditer(mapped):
        parts.append(mapped[pos : m.start()])
        if offsets:
            omap.extend(origin[pos : m.start()] if origin is not None else range(pos, m.start()))
        rep = _space_replacement(mapped, m)
        if rep:
            parts.append(rep)
            if offsets:
                omap.append(origin[m.start()] if origin is not None else m.start())
        pos = m.end()
    parts.append(mapped[pos:])
    if offsets:
        omap.extend(origin[pos:] if origin is not None else range(pos, len(mapped)))
        omap.append(len(text))
    norm = "".join(parts)
    # Collapse "\n" runs left by e.g. " \n \n" and trim the edges.
    if "\n\n" in norm or norm.startswith("\n") or norm.endswith("\n"):
        norm, omap = _squeeze_newlines(norm, omap)
    return norm, omap


_NEWLINES = re.compile(r"\n\n+")


def _squeeze_newlines(norm: str, omap: list[int] | None) -> tuple[str, list[int] | None]:
    """Drop line breaks at the edges and keep one of each run (by slices: this runs for every
    snippet)."""
    start = len(norm) - len(norm.lstrip("\n"))
    end = len(norm.rstrip("\n"))
    parts: list[str] = []
    omap_out: list[int] | None = [] if omap is not None else None
    pos = start
    for m in _NEWLINES.finditer(norm, start, end):
        parts.append(norm[pos : m.start() + 1])
        if omap_out is not None:
            omap_out.extend(omap[pos : m.start() + 1])
        pos = m.end()
    parts.append(norm[pos:end])
    if omap_out is not None:
        omap_out.extend(omap[pos:end])
        omap_out.append(omap[-1])
    return "".join(parts), omap_out


def original_span(omap: list[int], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that normalised characters [start, end) came from."""
    if end <= start:
        return omap[start], omap[start]
    return omap[start], omap[end - 1] + 1 if omap[end - 1] + 1 <= omap[-1] else omap[-1]


def find_all(haystack: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of needle in haystack."""
    out, i = [], haystack.find(needle)
    while i != -1 and needle:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out

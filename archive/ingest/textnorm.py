"""The one normalisation of the archive's text, for the ingest pipeline and the search side
(Django-free; search.normalize is the search side's name for this module's functions).

Never applied to the stored text: every function here maps text for matching only.

- `normalize` / `normalize_with_offsets` (`normalize_with_offset_map`: the same offsets kept
  as runs, for the few look-ups of a snippet): what the search index stores and what queries, `?hl=`
  marks, the grid and the trend are matched on (described below);
- `fold_width`: full-width ASCII and odd spaces to ASCII, one character for one, so offsets
  into the folded text are offsets into the original (the pipeline's headings and metadata,
  numbers and commitments);
- `nfkc`: Unicode NFKC, for metadata lines where lengths may change;
- `ts_characters` (OpenCC's table, read once) and `VARIANTS`, used by `normalize` and the
  commitments extractor.

`for_matching` keeps the length of the string (one character in, one out), so positions found
in the normalised form are positions in the original: half-width punctuation to full-width
equivalents is NOT done here; instead full-width ASCII becomes ASCII, and the traditional
characters that occur in the words the pipeline looks for (會議, 屆, 國, 報告, ...) become simplified.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=年)")
_CN_DIGIT = str.maketrans("〇○零一二三四五六七八九", "000123456789")

_TRAD = str.maketrans(
    "會議屆國報務總預標計劃區縣廣東現們應顧題幾個與為對關於聽審過進這來時長萬億產業農廠鐵糧實經濟發達歲價額增加稅財費收務員導員級項標體門開際據書記錄環質戰營運輸屬職稱貿"
    "陽遼寧蘇吉龍淵灣園島夠",
    "会议届国报务总预标计划区县广东现们应顾题几个与为对关于听审过进这来时长万亿产业农厂铁粮实经济发达岁价额增加税财费收务员导员级项标体门开际据书记录环质战营运输属职称贸"
    "阳辽宁苏吉龙渊湾园岛够",
)


_FULLWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_WIDTH_FOLD = {chr(k): chr(v) for k, v in _FULLWIDTH.items()} | {"\u00a0": " "}  # no-break space
_WIDTH_RE = re.compile("[" + "".join(_WIDTH_FOLD) + "]")
_TABLE = str.maketrans(
    {
        **{chr(k): chr(v) for k, v in _FULLWIDTH.items()},
        **{chr(k): chr(v) for k, v in _TRAD.items()},
    }
)


def for_matching(s: str) -> str:
    """Same length as s: full-width ASCII -> ASCII, ideographic space -> space, some traditional -> simplified."""
    res = s.translate(_TABLE)
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGIT), res)


def fold_width(text: str) -> str:
    """Full-width ASCII (０-９, ％, ．, ，...), the ideographic space and no-break spaces to
    ASCII; same length, same offsets."""
    # re.sub touches only the characters that change: ~10x faster than str.translate on CJK text
    return _WIDTH_RE.sub(lambda m: _WIDTH_FOLD[m.group()], text)


def nfkc(s: str) -> str:
    """Unicode NFKC (lengths may change: for reading metadata, not for offsets)."""
    return unicodedata.normalize("NFKC", s)


# --- tables shared by the ingest pipeline and the search index ---------------------------


@lru_cache(maxsize=1)
def ts_characters() -> dict[int, str]:
    """Traditional -> simplified, one character to one character: OpenCC's TSCharacters table
    as shipped by opencc-python-reimplemented (only its data file is used). Read once per
    process for every user (commitments, the search index and queries); empty when the
    package is not installed."""
    try:
        import opencc
    except ImportError:
        return {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    table: dict[int, str] = {}
    for line in lines:
        trad, _, simp = line.partition("\t")
        simp = simp.split()[0] if simp.split() else ""
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = simp
    return table


# Characters that stand for one another in these texts and that NFKC leaves apart, folded to
# one of them (one character to one character, so offsets hold): the zero of Chinese
# numerals (一九五〇年 is also typed 一九五○年, with a white circle), the dashes of a range
# (5-6%, 5—6%, 5–6%, 5−6%) and the wave dash of a range (5～6%, 5〜6%; NFKC already makes
# the full-width ～ a tilde).
VARIANTS = {
    "○": "〇",
    "◯": "〇",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "﹣": "-",
    "〜": "~",
    "∼": "~",
}


# --- the search normalisation ---------------------------------------------------------------
# Whatever is searched and whatever is indexed go through `normalize()`, so that 營商環境 finds
# 营商环境, ６.５％ finds 6.5%, and a letter-spaced title "政 府 工 作 报 告" finds 政府工作报告.
# `normalize_with_offsets()` gives the same string plus, for every normalised character, the
# offset of the original character it came from: highlights are found in the normalised text
# and marked in the original one.
#
# The steps, all character by character (so offsets map back exactly):
# 1. traditional -> simplified, one character to one character, from OpenCC's TSCharacters
#    table (read once by ts_characters for the pipeline and the index;
#    opencc-python-reimplemented ships it; the table, applied with str.translate, is
#    ~30x faster than OpenCC's phrase converter and keeps lengths; phrase-level variants such
#    as 乾隆 do not matter for matching because both sides go through the same table);
# 2. NFKC per character (full-width -> half-width, ① -> 1, ㎡ -> m2, ideographic space -> space);
# 3. lower case (Latin letters: GDP = gdp); variants folded (VARIANTS:
#    〇/○, the dashes of a range 5-6% = 5—6% = 5–6%, 5～6% = 5〜6%);
# 4. whitespace: a run containing a line break becomes one "\n" (a hard boundary no match may
#    cross); other runs are dropped next to a CJK character or at a line's edge, and otherwise
#    become one space ("PM2.5 年均" -> "pm2.5年均", "new  york" -> "new york").

_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003134f"
_WS_RUN = re.compile(r"\s+")
_CJK_CHAR = re.compile(f"[{_CJK}]")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], re.Pattern | None, np.ndarray, np.ndarray]:
    """(the translation table, a pattern of the characters whose normal form is not one
    character, and the same as arrays indexed by code point: the one-to-one mapping with the
    others left as they are, and whether a character's normal form is longer)."""
    table: dict[int, str] = dict(ts_characters())
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
    for variant, folded in VARIANTS.items():
        table[ord(variant)] = folded
    pattern = re.compile("[" + re.escape("".join(multi)) + "]") if multi else None
    one_to_one = np.arange(sys.maxunicode + 1, dtype=np.uint32)  # 4.5 MB, once per process
    longer = np.zeros(sys.maxunicode + 1, dtype=bool)
    for cp, out in table.items():
        if len(out) == 1:
            one_to_one[cp] = ord(out)
        else:
            longer[cp] = True
    return table, pattern, one_to_one, longer


# Below this length str.translate is quicker than the arrays' set-up; above it, the arrays map
# a text ~8x faster than str.translate, which looks every character up in a dict one by one
# (snippets, marks and the index build normalise whole sections).
_BULK = 256


class OffsetMap(Sequence[int]):
    """`o[i]`: the offset in the original text of the character that normalised character i
    came from, and `o[len(norm)]` = len(original). Kept as runs of consecutive offsets (a new
    run after each dropped space and at each character whose normal form is longer), so a
    section's map is a few entries per line, not one Python int per character: a snippet
    looks up a handful of offsets. `list(o)` is the whole list."""

    __slots__ = ("_starts", "_origins", "_len")

    def __init__(self, starts: list[int], origins: list[int], length: int):
        self._starts, self._origins, self._len = starts, origins, length

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self)[i]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("offset map index out of range")
        k = bisect_right(self._starts, i) - 1
        return self._origins[k] + i - self._starts[k]

    def __iter__(self) -> Iterator[int]:
        ends = [*self._starts[1:], self._len]
        return chain.from_iterable(
            range(o, o + e - s) for s, o, e in zip(self._starts, self._origins, ends, strict=True)
        )

    def runs(self, a: int, b: int) -> Iterator[tuple[int, int]]:
        """The runs covering [a, b), as (start - a, offset at that start)."""
        k = bisect_right(self._starts, a) - 1
        yield 0, self._origins[k] + a - self._starts[k]
        for j in range(k + 1, len(self._starts)):
            if self._starts[j] >= b:
                break
            yield self._starts[j] - a, self._origins[j]


class _MapBuilder:
    """Builds an OffsetMap from left to right, a slice of the text before at a time."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.origins: list[int] = []
        self.length = 0

    def take(self, before: OffsetMap | None, a: int, b: int) -> None:
        """Characters a..b-1 of the text before, whose offsets are `before` (None: their
        own offsets)."""
        if b <= a:
            return
        if before is None:
            self.starts.append(self.length)
            self.origins.append(a)
        else:
            for start, origin in before.runs(a, b):
                self.starts.append(self.length + start)
                self.origins.append(origin)
        self.length += b - a

    def repeat(self, origin: int, times: int) -> None:
        """`times` characters that all come from the original character at `origin`."""
        for _ in range(times):
            self.starts.append(self.length)
            self.origins.append(origin)
            self.length += 1

    def build(self, end: int) -> OffsetMap:
        """The map, with `end` (the original text's length) as its last entry."""
        return OffsetMap([*self.starts, self.length], [*self.origins, end], self.length + 1)


def _map_characters(text: str, offsets: bool) -> tuple[str, OffsetMap | None]:
    """Steps 1-3 on every character: (the mapped text, and with `offsets`, where each mapped
    character came from, or None where each is at its own offset)."""
    table, multi, one_to_one, longer = _tables()
    if len(text) < _BULK and (not offsets or multi is None or not multi.search(text)):
        return text.translate(table), None
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = one_to_one[codes].tobytes().decode("utf-32-le", "surrogatepass")
    expanding = np.flatnonzero(longer[codes]).tolist()  # …, ½: a few in a whole report
    if not expanding:
        return mapped, None
    # Only the characters whose normal form is longer are handled one by one.
    pieces, origin, pos = [], _MapBuilder(), 0
    for i in expanding:
        out = table[ord(text[i])]
        pieces += (mapped[pos:i], out)
        origin.take(None, pos, i)
        origin.repeat(i, len(out))
        pos = i + 1
    pieces.append(mapped[pos:])
    origin.take(None, pos, len(text))
    return "".join(pieces), origin.build(len(text)) if offsets else None


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
    return _normalize(text, offsets=False)[0]


def normalize_with_offsets(text: str, offsets: bool = True) -> tuple[str, list[int] | None]:
    """Normalise `text`; with `offsets`, also return a list `o` where `o[i]` is the offset in
    `text` of the character that normalised character i came from (len(o) = len(norm) + 1,
    the last entry being len(text), so a span [i, j) maps to [o[i], o[j-1] + 1))."""
    norm, omap = _normalize(text, offsets)
    return norm, list(omap) if offsets else None


def normalize_with_offset_map(text: str) -> tuple[str, OffsetMap]:
    """As normalize_with_offsets, the offsets as an OffsetMap: the same numbers, without a
    list of one entry per character (for a few look-ups, as snippets and marks make)."""
    return _normalize(text, offsets=True)


def _normalize(text: str, offsets: bool) -> tuple[str, OffsetMap | None]:
    mapped, origin = _map_characters(text, offsets)
    # Whitespace: build the result and the offset map from the runs.
    parts: list[str] = []
    omap = _MapBuilder() if offsets else None
    pos = 0
    for m in _WS_RUN.finditer(mapped):
        parts.append(mapped[pos : m.start()])
        rep = _space_replacement(mapped, m)
        if rep:
            parts.append(rep)
        if offsets:
            omap.take(origin, pos, m.start() + (1 if rep else 0))
        pos = m.end()
    parts.append(mapped[pos:])
    norm = "".join(parts)
    if not offsets:
        return _squeeze_newlines(norm, None)
    omap.take(origin, pos, len(mapped))
    return _squeeze_newlines(norm, omap.build(len(text)))


_NEWLINES = re.compile(r"\n\n+")


def _squeeze_newlines(norm: str, omap: OffsetMap | None) -> tuple[str, OffsetMap | None]:
    """Collapse "\n" runs left by e.g. " \n \n", and drop line breaks at the edges."""
    if not ("\n\n" in norm or norm.startswith("\n") or norm.endswith("\n")):
        return norm, omap
    start = len(norm) - len(norm.lstrip("\n"))
    end = len(norm.rstrip("\n"))
    parts: list[str] = []
    kept = _MapBuilder() if omap is not None else None
    pos = start
    for m in _NEWLINES.finditer(norm, start, end):
        parts.append(norm[pos : m.start() + 1])
        if kept is not None:
            kept.take(omap, pos, m.start() + 1)
        pos = m.end()
    parts.append(norm[pos:end])
    if kept is None:
        return "".join(parts), None
    kept.take(omap, pos, end)
    return "".join(parts), kept.build(omap[-1])


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

"""Readable, permanent URL slugs for place names: pinyin as the place is called, not as the
characters read most often elsewhere (朝阳 chaoyang not zhaoyang, 长治 changzhi, 单县 shan-xian,
洪洞 hongtong, 陕西 shaanxi). pypinyin's phrase dictionary reads most names right; the places it
does not are listed, reviewed, in data/place_readings.tsv, and win over it. Plain Python, no
Django: the gazetteer tests run it on every division."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

READINGS_FILE = Path(__file__).with_name("data") / "place_readings.tsv"

# Administrative suffixes, longest first, split off the name so that URLs read
# "tianjin-shi/heping-qu" rather than "tianjinshi/hepingqu".
# (Not 林区: it would split 万柏林区 as 万柏 + 林区; 神农架林区 reads shennongjialin-qu.)
PLACE_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)


@lru_cache(maxsize=1)
def readings() -> dict[str, str]:
    """Reviewed readings: characters as they stand in a place name -> toneless pinyin,
    syllables separated by spaces ("朝阳" -> "chao yang")."""
    table = {}
    for line in READINGS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, reading = line.split("\t")[:2]
        if len(reading.split()) != len(name):
            raise ValueError(f"{READINGS_FILE.name}: {name} needs one syllable a character")
        table[name] = reading
    return table


def _pinyin(text: str) -> str:
    """Pinyin of `text`, the longest reviewed reading first at each position, pypinyin's
    phrase dictionary for the rest."""
    # Imported here, not at the top: pypinyin's phrase tables are ~57 MB, and a web worker
    # that only serves searches and pages never names a new place.
    from pypinyin import lazy_pinyin

    table = readings()
    longest = max(map(len, table), default=0)
    out, rest, i = [], "", 0
    while i < len(text):
        match = next(
            (
                text[i : i + n]
                for n in range(min(longest, len(text) - i), 0, -1)
                if text[i : i + n] in table
            ),
            None,
        )
        if match is None:
            rest += text[i]
            i += 1
            continue
        if rest:
            out += lazy_pinyin(rest, errors="ignore")
            rest = ""
        out += table[match].split()
        i += len(match)
    if rest:
        out += lazy_pinyin(rest, errors="ignore")
    return "".join(out)


def place_slug(name: str) -> str:
    """ "朝阳区" -> "chaoyang-qu": the name's pinyin, then its administrative suffix's."""
    core, suffix = name, ""
    for candidate in PLACE_SUFFIXES:
        if name.endswith(candidate) and len(name) > len(candidate):
            core, suffix = name[: -len(candidate)], candidate
            break
    # The whole name first: a reading may hold for the name with its suffix only (单县).
    table = readings()
    if name in table and suffix:
        syllables = table[name].split()
        words = ["".join(syllables[: len(core)]), "".join(syllables[len(core) :])]
    else:
        words = [_pinyin(core), _pinyin(suffix) if suffix else ""]
    slug = "-".join(w for w in words if w).lower()
    return "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-")) or "place"


# The suffixes as they were before place readings: indicator slugs ("地区生产总值" ->
# "diqushengchanzongzhi") were made with them and are stored, so they must not change.
_INDICATOR_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "林区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)


def pinyin_slug(text: str) -> str:
    """Plain pypinyin, for names that are not places (indicators): 增长 stays zengzhang."""
    from pypinyin import lazy_pinyin

    core, suffix = text, ""
    for candidate in _INDICATOR_SUFFIXES:
        if text.endswith(candidate) and len(text) > len(candidate):
            core, suffix = text[: -len(candidate)], candidate
            break
    words = ["".join(lazy_pinyin(core, errors="ignore"))]
    if suffix:
        words.append("".join(lazy_pinyin(suffix, errors="ignore")))
    slug = "-".join(w for w in words if w).lower()
    return "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-")) or "place"

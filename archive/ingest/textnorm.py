"""Normalisation for matching only (never applied to the stored text).

`for_matching` keeps the length of the string (one character in, one out), so positions found
in the normalised form are positions in the original: half-width punctuation to full-width
equivalents is NOT done here; instead full-width ASCII becomes ASCII, and the traditional
characters that occur in the words the pipeline looks for (會議, 屆, 國, 報告, ...) become simplified.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=年)")
_CN_DIGIT = str.maketrans("〇○零一二三四五六七八九", "000123456789")

_TRAD = str.maketrans(
    "會議屆國報務總預標計劃區縣廣東現們應顧題幾個與為對關於聽審過進這來時長萬億產業農廠鐵糧實經濟發達歲價額增加稅財費收務員導員級項標體門開際據書記錄環質戰營運輸屬職稱貿"
    "陽遼寧蘇吉龍淵灣園島夠",
    "会议届国报务总预标计划区县广东现们应顾题几个与为对关于听审过进这来时长万亿产业农厂铁粮实经济发达岁价额增加税财费收务员导员级项标体门开际据书记录环质战营运输属职称贸"
    "阳辽宁苏吉龙渊湾园岛够",
)


_FULLWIDTH = {o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_TABLE = str.maketrans({**{chr(k): chr(v) for k, v in _FULLWIDTH.items()},
                        **{chr(k): chr(v) for k, v in _TRAD.items()}})


def for_matching(s: str) -> str:
    """Same length as s: full-width ASCII -> ASCII, ideographic space -> space, some traditional -> simplified."""
    res = s.translate(_TABLE)
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGIT), res)


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# --- shared by the ingest pipeline and the search index ----------------------------------


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

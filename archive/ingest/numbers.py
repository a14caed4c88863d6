"""Chinese and Arabic numerals as they are written in government work reports.

Pure functions, no Django. Used by the commitments extractor:

    parse_number("12.5")        -> 12.5
    parse_number("一千")         -> 1000.0
    parse_number("三点五")       -> 3.5
    parse_number("百分之八")     -> 8.0     (the caller knows it is a percentage)
    parse_number("１２．５")     -> 12.5    (full-width digits)
    parse_number("一万零五百")   -> 10500.0 (万/亿 inside a numeral)

    with_magnitude("一万一千一百七十", "亿元") -> (11170.0, "亿元")
    with_magnitude("二十六亿六千", "万美元")   -> (26.6, "亿美元")

Full-width digits are read through textnorm.fold_width (the archive's one fold; one
character for one, so offsets into the folded text are offsets into the original).
"""

from __future__ import annotations

import re

from .textnorm import fold_width

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}

# characters that can make up a Chinese numeral (without 万/亿, which the extractor keeps in the unit)
CN_NUM_CHARS = "零〇○一二两三四五六七八九十百千点壹贰叁肆伍陆柒捌玖拾佰仟"
CN_NUM_RE = f"[{CN_NUM_CHARS}]+"
# a Chinese numeral with 万/亿 inside it ("一万一千一百七十", "二十六亿六千"): a 万/亿 belongs to
# the numeral only when more numeral characters follow; a final 万/亿 is the unit's ("三千万元")
CN_NUM_BIG_RE = f"{CN_NUM_RE}(?:[万亿萬]{CN_NUM_RE})*"


def _cn_integer(s: str) -> float | None:
    """'三百五十' -> 350, '十五' -> 15, '一千二百万' -> 12000000, '二〇一六' -> 2016 (digit by digit)."""
    if not s:
        return None
    if all(c in CN_DIGITS for c in s):  # read digit by digit: 二〇一六, 一二
        v = 0
        for c in s:
            v = v * 10 + CN_DIGITS[c]
        return float(v)
    total, section, digit = 0, 0, None
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
        elif c in CN_BIG and CN_BIG[c] == 10_000:
            total += ((section + (digit or 0)) or 1) * 10_000
            section, digit = 0, None
        elif c in CN_BIG:  # 亿 multiplies everything before it: "一万亿" is 10^12
            total = ((total + section + (digit or 0)) or 1) * 100_000_000
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def parse_chinese(s: str) -> float | None:
    """A Chinese numeral, with an optional 点 decimal part: '三点五' -> 3.5, '百分之八' -> 8."""
    s = s.strip()
    if s.startswith("百分之"):
        s = s[3:]
    if not s:
        return None
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = _cn_integer(whole) if whole else 0.0
        if w is None or not frac or any(c not in CN_DIGITS for c in frac):
            return None
        return w + float("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    return _cn_integer(s)


def parse_number(s: str) -> float | None:
    """Arabic ('12.5', '1,200', full-width) or Chinese numeral; None if it is neither."""
    t = fold_width(s).replace(",", "").replace(" ", "").strip()
    if not t:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    return parse_chinese(t)


def with_magnitude(numeral: str, unit: str) -> tuple[float, str] | None:
    """The value and unit of a Chinese numeral that has 万/亿 inside, in the unit as written.

    The extractor keeps a final 万/亿 in the unit ("一千亿元" is 1000 亿元). A numeral with 亿
    inside it is given in 亿 of the base unit ("二十六亿六千万美元" -> 26.6 亿美元, "三亿五千人"
    -> 3.5 亿人), as a report would write it in figures; one with only 万 inside keeps the unit
    as written ("一万一千一百七十亿元" -> 11170 亿元, "一万二千人" -> 12000 人)."""
    if "亿" not in numeral:
        v = parse_number(numeral)
        return None if v is None else (v, unit)
    base = unit
    if unit.startswith(("万", "萬")) and not unit.startswith("万亿"):
        numeral, base = numeral + "万", unit[1:]
    elif unit.startswith("亿") or unit.startswith("万亿"):
        return None  # "一亿二千亿" is not a numeral
    v = parse_number(numeral)
    if v is None or not base:
        return None
    return round(v / 100_000_000, 6), "亿" + base

"""Numbers as reports write them: Chinese numerals of any size, mixed forms, ranges, per-unit
forms, signs, and the unit table (archive/ingest/data/units.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.ingest.commitments import find_tokens, load_vocab
from archive.ingest.numbers import parse_number, with_magnitude

UNITS = Path(__file__).resolve().parents[2] / "archive" / "ingest" / "data" / "units.json"


@pytest.mark.parametrize(
    "numeral,value",
    [
        ("一万一千一百七十", 11170),
        ("一万三千", 13000),
        ("一万零五百", 10500),
        ("两千", 2000),
        ("二十六亿六千万", 2_660_000_000),
        ("十亿零五百万", 1_005_000_000),
        ("一万亿", 10**12),
        ("一千零五", 1005),
        ("二〇一六", 2016),
        ("三点五", 3.5),
        ("百分之八", 8),
    ],
)
def test_chinese_numerals_of_any_size(numeral, value):
    assert parse_number(numeral) == value


def test_a_numeral_with_yi_inside_is_given_in_yi():
    assert with_magnitude("一万一千一百七十", "亿元") == (11170, "亿元")
    assert with_magnitude("二十六亿六千", "万美元") == (26.6, "亿美元")
    assert with_magnitude("一亿一千三百", "万吨") == (1.13, "亿吨")
    assert with_magnitude("一亿二千", "亿元") is None  # not a numeral


@pytest.mark.parametrize(
    "text,expect",
    [
        # the national reports of the 1950s-1980s: values were 10x too small when 万 cut the numeral
        ("国民收入一万一千一百七十亿元", (11170, None, "亿元", None)),
        ("粮食产量达到一万三千亿斤", (13000, None, "亿斤", None)),
        ("粮食一万零五百亿斤", (10500, None, "亿斤", None)),
        ("外资二十六亿六千万美元", (26.6, None, "亿美元", None)),
        ("投资三千多万元", (3000, None, "万元", "多")),
        ("新增企业100余家", (100, None, "家", "余")),
        ("总量1.2万亿元", (1.2, None, "万亿元", None)),
        ("增长百分之八至九", (8, 9, "%", None)),
        ("增长4.5%—5%", (4.5, 5, "%", None)),
        ("PM2.5浓度每立方米20微克", (20, None, "微克/立方米", None)),
        ("装机容量300万千瓦", (300, None, "万千瓦", None)),
        ("集装箱吞吐量达到120万标箱", (120, None, "万标箱", None)),
        ("消耗1.5万吨标准煤", (1.5, None, "万吨标准煤", None)),
        ("新建公路85公里", (85, None, "公里", None)),
        ("改造棚户区2.3万户、新建住房1万套", (2.3, None, "万户", None)),
        ("增长-3.3%", (-3.3, None, "%", None)),
    ],
)
def test_number_forms(text, expect):
    toks = find_tokens(text, [])
    assert toks, text
    t = toks[0]
    assert (t.value, t.value_max, t.unit, t.approx) == expect


def test_per_unit_form_quotes_from_mei():
    text = "细颗粒物浓度每立方米20微克"
    t = find_tokens(text, [])[0]
    assert text[t.start : t.end] == "每立方米20微克"


def test_the_unit_table_is_data_and_every_unit_has_one_family():
    data = json.loads(UNITS.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for fam, units in data["unit_families"].items():
        for u in units:
            assert u not in seen, f"{u} in {seen.get(u)} and {fam}"
            seen[u] = fam
    for unit in ("万个", "万户", "万套", "公里", "万千瓦", "吨标准煤", "万标箱"):
        assert unit in load_vocab().unit_family
    for num, denoms in data["per_unit"].items():
        for d in denoms:
            assert f"{num}/{d}" in load_vocab().unit_family


def test_dates_and_ordinals_are_not_numbers_with_units():
    assert find_tokens("2025年1月8日召开第十四届人民代表大会第三次会议", []) == []

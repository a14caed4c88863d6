"""The richer contract fields of a commitment: direction, period with horizon, scope, baseline,
a qualifier on every member of a 分别 list, names outside the vocabulary, and one commitment per
fact. Short sentences in the shape real reports use, and the fields through parse_report --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.ingest.commitments import extract_commitments


def one(text):
    cs, _ = extract_commitments(text, [])
    assert len(cs) == 1, [(c.indicator, c.value) for c in cs]
    return cs[0]


@pytest.mark.parametrize(
    "text,direction,value",
    [
        ("单位地区生产总值能耗下降3.3%。", "down", 3.3),  # marked down, value as written
        ("单位国内生产总值能耗降低2.5%左右。", "down", 2.5),
        ("全市生产总值增长-3.3%。", "down", -3.3),  # a minus written in the report stays
        ("地区生产总值增长6%左右。", "up", 6),
        ("城镇登记失业率控制在4.5%以内。", "level", 4.5),
        ("实现工业增加值100亿元。", "level", 100),  # 增加值 is a name, not a verb
        ("城镇调查失业率降至5.2%。", "down", 5.2),
    ],
)
def test_direction(text, direction, value):
    c = one(text)
    assert (c.direction, c.value) == (direction, value)


def test_a_level_after_a_growth_rate_is_a_level():
    cs, _ = extract_commitments("地区生产总值完成198.5亿元，同比增长22.3%。", [])
    assert [(c.value, c.direction) for c in cs] == [(198.5, "level"), (22.3, "up")]


@pytest.mark.parametrize(
    "text,period,horizon",
    [
        ("过去五年，地区生产总值年均增长6.5%。", "multi_year_average", None),
        ("十四五期间，地区生产总值年均增长6%左右。", "multi_year_average", 2025),
        ("五年累计完成固定资产投资1.2万亿元。", "cumulative", None),
        ("到2030年，地区生产总值达到3万亿元。", "by_year", 2030),
        ("到“十四五”末，常住人口城镇化率达到70%。", "by_year", 2025),
        ("2027年前，研发经费投入强度达到3%。", "by_year", 2027),
        ("今年地区生产总值增长5%左右。", "year", None),
    ],
)
def test_period_and_horizon(text, period, horizon):
    c = one(text)
    assert (c.period, c.horizon) == (period, horizon)


@pytest.mark.parametrize(
    "text,scope",
    [
        ("大湾区经济总量增长5%。", "大湾区"),
        ("对东盟进出口增长8%。", "对东盟"),
        ("规上纺织工业增加值增长5%。", "规上纺织工业"),
        ("全市规模以上工业增加值增长5%。", None),
        ("全市地区生产总值增长5%。", None),
    ],
)
def test_scope(text, scope):
    assert one(text).scope == scope


def test_transition_gives_the_to_value_with_its_baseline():
    for verb in ("提高到", "提升到", "提升至", "增加到"):
        c = one(f"地区生产总值从8.2万亿元{verb}10.5万亿元。")
        assert (c.value, c.unit, c.baseline, c.direction) == (10.5, "万亿元", 8.2, "up")
    c = one("城镇调查失业率由5.6%降至5.2%。")
    assert (c.value, c.baseline, c.direction) == (5.2, 5.6, "down")


def test_fenbie_list_with_a_shared_head():
    cs, _ = extract_commitments("城镇居民、农村居民人均可支配收入分别增长5.1%、6.3%。", [])
    assert [(c.indicator, c.value) for c in cs] == [
        ("城镇居民人均可支配收入", 5.1),
        ("农村居民人均可支配收入", 6.3),
    ]


def test_fenbie_list_with_a_member_outside_the_vocabulary():
    cs, _ = extract_commitments("PM10、PM2.5平均浓度分别下降10%、8%。", [])
    assert [(c.indicator, c.value, c.direction, c.normalised) for c in cs] == [
        ("PM10", 10, "down", False),
        ("PM2.5年均浓度", 8, "down", True),
    ]


def test_fenbie_list_of_industries_is_one_indicator_with_scopes():
    cs, _ = extract_commitments("食品、石化、医药工业增加值分别增长5%、6%、7%。", [])
    assert [(c.indicator, c.value, c.scope) for c in cs] == [
        ("工业增加值", 5, "食品工业"),
        ("工业增加值", 6, "石化工业"),
        ("工业增加值", 7, "医药工业"),
    ]


def test_fenbie_qualifier_written_once_belongs_to_every_member():
    cs, _ = extract_commitments("力争城乡居民收入分别增长6%、7%。", [])
    assert [c.qualifier for c in cs] == ["力争", "力争"]


def test_parse_report_json_carries_the_fields(tmp_path: Path):
    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "r.txt"
    path.write_text(
        "天津市和平区政府工作报告\n今年主要预期目标是：单位地区生产总值能耗下降3%，"
        "到2030年地区生产总值从800亿元提高到1000亿元。\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "parse_report", str(path), "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    cs = json.loads(out.stdout)["commitments"]
    for c in cs:
        assert {"direction", "period", "horizon", "scope", "baseline", "normalised"} <= set(c)
    by_value = {c["value"]: c for c in cs}
    assert by_value[3]["direction"] == "down"
    assert (by_value[1000]["baseline"], by_value[1000]["period"], by_value[1000]["horizon"]) == (
        800,
        "by_year",
        2030,
    )
    assert 800 not in by_value  # the 从 value is the baseline, not a commitment of its own


@pytest.mark.parametrize(
    "text",
    [
        "居民收入增长快于经济增速1个百分点。",  # a comparison with the economy, not a GDP value
        "城乡居民收入增速高于经济增速0.5个百分点。",
        "2025年1月8日召开第十四届人民代表大会第三次会议。",  # dates, ordinals
    ],
)
def test_what_is_not_a_commitment(text):
    assert extract_commitments(text, [])[0] == []


def test_a_change_in_points_against_last_year_is_kept():
    c = one("研发经费投入强度比上年提高0.2个百分点。")
    assert (c.value, c.unit, c.direction) == (0.2, "个百分点", "up")


@pytest.mark.parametrize(
    "text,expect",
    [
        ("全年新登记企业3.2万户，增长8%。", [("新登记企业", 3.2, "万户"), ("新登记企业", 8, "%")]),
        ("农村生活污水治理率达80%。", [("农村生活污水治理率", 80, "%")]),
        ("建成充电桩3000个、换电站120座。", [("建成充电桩", 3000, "个"), ("换电站", 120, "座")]),
        ("国际全货机航线增至4条。", [("国际全货机航线", 4, "条")]),
        ("改造供热管网650公里。", [("改造供热管网", 650, "公里")]),
    ],
)
def test_indicators_outside_the_vocabulary_keep_the_name_as_written(text, expect):
    cs, _ = extract_commitments(text, [])
    assert [(c.indicator, c.value, c.unit) for c in cs if not c.normalised] == expect


@pytest.mark.parametrize(
    "text,expect",
    [
        # names as written that the vocabulary knows (matched by name) are filed under it
        (
            "全年新登记市场主体12.5万户，增长8%。",
            [("新登记市场主体", 12.5, "万户"), ("新登记市场主体", 8, "%")],
        ),
        ("城市生活污水集中收集率达80%。", [("城市生活污水集中收集率", 80, "%")]),
        ("建成5G基站1.2万个、充电桩3000个。", [("5G基站", 1.2, "万个")]),
        ("改造燃气管网650公里。", [("燃气管网", 650, "公里")]),
    ],
)
def test_names_as_written_that_the_vocabulary_knows_are_normalised(text, expect):
    cs, _ = extract_commitments(text, [])
    assert [(c.indicator, c.value, c.unit) for c in cs if c.normalised] == expect


@pytest.mark.parametrize(
    "text,expect",
    [
        # a product written as one character is its output
        ("纸520万吨，糖260万吨。", [("纸产量", 520, "万吨"), ("糖产量", 260, "万吨")]),
        ("表2,360万只。", [("表产量", 2360, "万只")]),
        # a bare 总产 takes the crop of the clause before it, and the vocabulary's name
        ("粮食生产再获丰收，总产达到557亿斤。", [("粮食产量", 557, "亿斤")]),
        (
            "蔬菜种植面积达到2万亩，产量达到15万吨。",
            [("蔬菜种植面积", 2, "万亩"), ("蔬菜产量", 15, "万吨")],
        ),
    ],
)
def test_output_figures_are_named_for_what_they_measure(text, expect):
    cs, _ = extract_commitments(text, [])
    assert [(c.indicator, c.value, c.unit) for c in cs] == expect


def test_a_level_after_a_semicolon_keeps_the_name_before_it():
    text = "铁路通车里程一九四九年为二万一千七百公里；由于新建了不少铁路，今年预计将达二万五千五百公里。"
    cs, _ = extract_commitments(text, [])
    assert [(c.indicator, c.value) for c in cs] == [
        ("铁路通车里程", 21700),
        ("铁路通车里程", 25500),
    ]
    # but not a rate, which after a semicolon is as often another quantity's growth
    cs, _ = extract_commitments(
        "钢产量三千九百万吨；发电量达到4455亿千瓦小时，比上年增长8.5%。", []
    )
    assert ("钢产量", 8.5) not in [(c.indicator, c.value) for c in cs]


def test_a_transition_outside_the_vocabulary_is_named_by_what_stands_before_it():
    cs, _ = extract_commitments("公共预算支出由11.66亿元增加到29.33亿元，年均增长20.26%。", [])
    assert [(c.indicator, c.value, c.baseline, c.period) for c in cs] == [
        ("公共预算支出", 29.33, 11.66, "year"),
        ("公共预算支出", 20.26, None, "multi_year_average"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "召开常务会议25次，出台文件12个。",  # meetings and documents
        "制定政策措施30项。",
        "加快建设京沪二通道、雄商等6条高铁。",  # a number before its noun qualifies it
        "着重抓好五个方面。",
        "促进政策从“最初一公里”到“最后一公里”衔接畅通。",  # a slogan in quotation marks
        "粮食产量居全国第3位。",  # a rank
        "比上年增加3000人。",  # an increment without a subject
        "把实事一件一件抓好。",  # 一 with a measure word is an article
        "这两项是经济振兴的主要依靠。",  # a pronoun is no name
        "另一头是集中财力开展科技攻关。",
    ],
)
def test_rules_of_what_is_not_a_commitment(text):
    assert extract_commitments(text, [])[0] == []


def test_one_commitment_per_fact_on_the_whole_corpus():
    """No report of the shared corpus gives the same number, indicator and sentence twice."""
    from collections import Counter

    from archive.ingest.pipeline import parse_file

    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    files = [p for p in sorted(corpus.rglob("*")) if p.suffix in (".txt", ".docx")]
    assert len(files) >= 100
    for path in files:
        result = parse_file(path.read_bytes(), path.name)
        seen = Counter(
            (c.indicator, c.value, c.value_max, c.unit, c.kind, c.start, c.end)
            for c in result.commitments
        )
        assert not [k for k, n in seen.items() if n > 1], path.name

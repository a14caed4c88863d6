"""Tests of archive.ingest.commitments (plain pytest, no Django).

- each commitment pattern the pipeline knows, on short sentences;
- false positives that must not appear (years, dates, 十三五, PM2.5 as a name, shares);
- section kinds (review/plan/glossary) and sentence cues deciding target/achievement;
- the five seeds' headline passages (../shared/gold/seeds.json);
- the corpus gold (tests/ingest/gold/corpus_commitments.json), scored with the matching rule of
  ../shared/tools/score_parse.py, imported from the shared folder;
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from archive.ingest.commitments import extract_commitments, load_vocab, vocabulary_problems
from archive.ingest.numbers import parse_chinese, parse_number
from archive.ingest.result import Section
from archive.ingest.textnorm import fold_width

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
GOLD = Path(__file__).resolve().parent / "gold" / "corpus_commitments.json"


def _scorer():
    path = SHARED / "tools" / "score_parse.py"
    assert path.exists(), f"the shared scorer belongs beside the project: {path}"
    spec = importlib.util.spec_from_file_location("score_parse", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_source(path: Path) -> str:
    """File bytes decoded the simple way (the real pipeline does more): docx paragraphs, UTF-8, GB18030."""
    if path.suffix == ".docx":
        docx = importlib.import_module("docx")
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def ex(text, sections=()):
    cs, warnings = extract_commitments(text, list(sections))
    return cs, warnings


def triples(cs):
    return [(c.indicator, c.value, c.value_max, c.unit) for c in cs]


# ---------------------------------------------------------------------------------------------
# numbers


@pytest.mark.parametrize(
    "s,v",
    [
        ("12", 12),
        ("85.03", 85.03),
        ("１２．５", 12.5),
        ("一千", 1000),
        ("三百五十", 350),
        ("十五", 15),
        ("两千", 2000),
        ("三点五", 3.5),
        ("百分之五", 5),
        ("百分之十一点八", 11.8),
        ("一千二百零一", 1201),
        ("二〇一六", 2016),
        ("7 4 7 7 2", 74772),
    ],
)
def test_parse_number(s, v):
    assert parse_number(s) == pytest.approx(v)


def test_parse_chinese_rejects_words():
    assert parse_chinese("是") is None
    assert parse_number("") is None


def test_fold_width_keeps_length():
    s = "增长１２．５％，（预计）"
    assert len(fold_width(s)) == len(s)
    assert fold_width(s) == "增长12.5%,(预计)"


# ---------------------------------------------------------------------------------------------
# the vocabulary


def test_vocabulary_is_clean_data():
    data = json.loads((ROOT / "archive/ingest/data/indicators.json").read_text(encoding="utf-8"))
    assert vocabulary_problems(data) == []
    # hundreds of indicators, read from what real reports state, in every topic
    assert len(data["indicators"]) >= 250
    assert len({e["family"] for e in data["indicators"]}) >= 20


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda d: d["indicators"][0].update(unit_family="furlongs"), "未知单位类别"),
        (lambda d: d["indicators"][1]["synonyms"].append(d["indicators"][0]["name"]), "已属于指标"),
        (lambda d: d["indicators"][0].update(match="anywhere"), "匹配方式"),
        (lambda d: d["indicators"][0].update(higher_is_better="yes"), "方向"),
        (lambda d: d["indicators"][0].pop("family"), "缺少字段"),
        (lambda d: d["indicators"].append({"synonyms": []}), "没有指标名称"),
    ],
)
def test_vocabulary_problems_are_named(change, problem):
    data = json.loads((ROOT / "archive/ingest/data/indicators.json").read_text(encoding="utf-8"))
    change(data)
    assert any(problem in p for p in vocabulary_problems(data))


@pytest.mark.parametrize(
    "text,name",
    [
        ("全年技术合同成交额120亿元。", "技术合同成交额"),
        ("工业总产值达到530亿元。", "工业总产值"),
        ("社会商品零售额增长9%。", "社会商品零售总额"),
        ("新建改建农村公路1200公里。", "农村公路"),
        ("高速公路里程达到5000公里。", "高速公路通车里程"),
        ("接待国内外游客2.1亿人次。", "接待游客"),
        ("原煤8.5亿吨。", "原煤产量"),
        ("发电量4073亿度。", "发电量"),
        ("城市污水处理率达到95%。", "城市污水处理率"),
        ("人均预期寿命达到79岁。", "人均预期寿命"),
    ],
)
def test_typical_indicators_normalise(text, name):
    cs, _ = ex(text)
    assert [(c.indicator, c.normalised) for c in cs] == [(name, True)]


def test_vocabulary_covers_every_scorer_family():
    sp = _scorer()
    data = json.loads((ROOT / "archive/ingest/data/indicators.json").read_text(encoding="utf-8"))
    for e in data["indicators"]:
        assert sp.family(e["name"]) == e["scorer_family"], e["name"]
    assert set(sp.FAMILIES) <= {e["scorer_family"] for e in data["indicators"]}
    for name in [
        "城镇新增就业",
        "城镇登记失业率",
        "城镇调查失业率",
        "居民消费价格涨幅",
        "粮食产量",
        "能耗强度",
        "PM2.5年均浓度",
    ]:
        assert name in load_vocab().indicators


@pytest.mark.parametrize(
    "mention,name",
    [
        ("地区生产总值", "地区生产总值"),
        ("生产总值", "地区生产总值"),
        ("GDP", "地区生产总值"),
        ("经济增长", "地区生产总值"),
        ("国内生产总值", "地区生产总值"),
        ("公共财政预算收入", "一般公共预算收入"),
        ("地方财政总收入", "财政收入"),
        ("城镇人均可支配收入", "城镇居民人均可支配收入"),
        ("农民人均纯收入", "农村居民人均可支配收入"),
        ("新增就业", "城镇新增就业"),
        ("登记失业率", "城镇登记失业率"),
        ("CPI", "居民消费价格涨幅"),
        ("单位GDP能耗", "能耗强度"),
        ("万元地区生产总值能耗", "能耗强度"),
        ("细颗粒物", "PM2.5年均浓度"),
        ("规上工业增加值", "规模以上工业增加值"),
    ],
)
def test_synonyms(mention, name):
    cs, _ = ex(f"今年{mention}增长5%。")
    assert [c.indicator for c in cs] == [name]


# ---------------------------------------------------------------------------------------------
# patterns


def test_level_and_growth_in_one_sentence():
    cs, _ = ex("全年预计实现地区生产总值780亿元,增长9%;一般公共预算收入85.03亿元,增长21.4%。")
    assert triples(cs) == [
        ("地区生产总值", 780, None, "亿元"),
        ("地区生产总值", 9, None, "%"),
        ("一般公共预算收入", 85.03, None, "亿元"),
        ("一般公共预算收入", 21.4, None, "%"),
    ]
    assert cs[0].text == "全年预计实现地区生产总值780亿元,增长9%"


def test_growth_then_level():
    cs, _ = ex(
        "经济社会发展主要预期目标是：地区生产总值增长20%，达到282亿元；地方财政总收入增长20%，达到24.8亿元。"
    )
    assert triples(cs) == [
        ("地区生产总值", 20, None, "%"),
        ("地区生产总值", 282, None, "亿元"),
        ("财政收入", 20, None, "%"),
        ("财政收入", 24.8, None, "亿元"),
    ]
    assert {c.kind for c in cs} == {"target"}


@pytest.mark.parametrize(
    "written,lo,hi",
    [
        ("4.5%—5%", 4.5, 5),
        ("5%-5.5%", 5, 5.5),
        ("5.5%到6%", 5.5, 6),
        ("6%－6.5%", 6, 6.5),
        ("6-6.5%", 6, 6.5),
        ("7%~8%", 7, 8),
        ("7%至8%", 7, 8),
        ("百分之八至九", 8, 9),
        ("百分之四至百分之五", 4, 5),
    ],
)
def test_ranges(written, lo, hi):
    cs, _ = ex(f"今年经济社会发展的主要预期目标是：国内生产总值增长{written}。")
    assert triples(cs) == [("地区生产总值", lo, hi, "%")]
    assert cs[0].kind == "target"


@pytest.mark.parametrize(
    "indicator,written,value,unit",
    [
        ("城镇化率", "提高3个百分点", 3, "个百分点"),
        ("固定资产投资", "完成150亿元", 150, "亿元"),
        ("城镇居民人均可支配收入", "达到30788元", 30788, "元"),
        ("环保投入", "达到5000万元", 5000, "万元"),
        ("城镇新增就业", "4万人", 4, "万人"),
        ("城镇新增就业", "5300人", 5300, "人"),
        ("粮食产量", "保持在1.3万亿斤以上", 1.3, "万亿斤"),
        ("粮食产量", "500亿斤左右", 500, "亿斤"),
        ("粮食产量", "达到6.07亿吨", 6.07, "亿吨"),
        ("外资到位额", "达到5000万美元", 5000, "万美元"),
        ("外资到位额", "4.2亿美元", 4.2, "亿美元"),
        ("地区生产总值", "突破2.6万亿元", 2.6, "万亿元"),
    ],
)
def test_units_as_written(indicator, written, value, unit):
    cs, _ = ex(f"{indicator}{written}。")
    assert triples(cs) == [(indicator, value, None, unit)]


def test_other_units():
    cs, _ = ex("PM2.5年均浓度控制在35微克/立方米以下，森林覆盖率达到25.2%，新增城镇就业4000人。")
    assert triples(cs) == [
        ("PM2.5年均浓度", 35, None, "微克/立方米"),
        ("森林覆盖率", 25.2, None, "%"),
        ("城镇新增就业", 4000, None, "人"),
    ]
    assert cs[0].qualifier == "以下"


@pytest.mark.parametrize(
    "sentence,qualifier",
    [
        ("地区生产总值增长9%左右", "左右"),
        ("一般公共预算收入增长15%以上", "以上"),
        ("城镇登记失业率控制在3.8%以内", "以内"),
        ("城镇登记失业率控制在4%", "控制在"),
        ("税收占比超过80%", "超过"),
        ("地区生产总值力争增长8%", "力争"),
        ("城镇调查失业率不高于5.5%", "不高于"),
        ("城镇登记失业率低于4.6%", "低于"),
        ("地区生产总值增长不低于6%", "不低于"),
        ("居民消费价格涨幅3%以下", "以下"),
        ("地区生产总值增长5%", None),
    ],
)
def test_qualifiers(sentence, qualifier):
    cs, _ = ex(f"今年主要预期目标是：{sentence}。")
    assert len(cs) == 1 and cs[0].qualifier == qualifier


def test_two_commitments_with_fenbie_and_split_mention():
    cs, _ = ex("组织和参与各类宣传推介活动,全年内、外资到位额分别达到110亿元和5000万美元。")
    assert triples(cs) == [("内资到位额", 110, None, "亿元"), ("外资到位额", 5000, None, "万美元")]


def test_fenbie_pairs_mentions_in_order():
    cs, _ = ex("今年预期目标是：城镇居民人均可支配收入和农村居民人均可支配收入分别增长7%和8%左右。")
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 7, None, "%"),
        ("农村居民人均可支配收入", 8, None, "%"),
    ]
    # a 左右 written once after the list qualifies every member of it
    assert [c.qualifier for c in cs] == ["左右", "左右"]
    cs, _ = ex("今年预期目标是：规模以上工业增加值、固定资产投资分别增长7%和8%左右。")
    assert triples(cs) == [("规模以上工业增加值", 7, None, "%"), ("固定资产投资", 8, None, "%")]


def test_fenbie_after_levels_of_their_own():
    cs, _ = ex(
        "城镇居民人均可支配收入9422元，农村居民人均纯收入2936元，扣除价格因素，分别实际增长7.7%和6.8%。"
    )
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 9422, None, "元"),
        ("农村居民人均可支配收入", 2936, None, "元"),
        ("城镇居民人均可支配收入", 7.7, None, "%"),
        ("农村居民人均可支配收入", 6.8, None, "%"),
    ]


def test_one_value_for_two_indicators():
    cs, _ = ex("今年预期目标是：城镇常住居民人均可支配收入、农村常住居民人均可支配收入均增长8%。")
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 8, None, "%"),
        ("农村居民人均可支配收入", 8, None, "%"),
    ]
    cs, _ = ex("今年预期目标是：城乡居民人均可支配收入分别增长7.5%。")
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 7.5, None, "%"),
        ("农村居民人均可支配收入", 7.5, None, "%"),
    ]


def test_chinese_numerals():
    cs, _ = ex(
        "今年经济增长速度的宏观调控目标，定为百分之八至九；地区生产总值突破一千亿元，财政收入增长百分之五。"
    )
    assert triples(cs) == [
        ("地区生产总值", 8, 9, "%"),
        ("地区生产总值", 1000, None, "亿元"),
        ("财政收入", 5, None, "%"),
    ]
    cs, _ = ex("全国实际使用的外资达二十六亿六千万美元。")
    assert triples(cs) == [("外资到位额", 26.6, None, "亿美元")]


def test_letter_spaced_and_full_width_digits():
    cs, _ = ex(
        "今年国民经济宏观调控的主要目标是：经济增长速度8 ％，商品零售价格涨幅控制在3 ％以内。"
    )
    assert triples(cs) == [("地区生产总值", 8, None, "%"), ("商品零售价格涨幅", 3, None, "%")]
    cs, _ = ex("１９９７年国内生产总值达到７４７７２亿元。")
    assert triples(cs) == [("地区生产总值", 74772, None, "亿元")]


def test_lost_percent_signs_read_only_where_certain():
    text = (
        "新年伊始.和平区政府制定了2009年重点政务目标.一是确定了地区生产总值增长12.左右.考核口径增加值增长15.左右."
        "区级财政收入增长12.在实际执行中力求完成得更好一些.市级科普示范社区达到50.新建公厕4座."
    )
    cs, warnings = ex(text)
    # 新建公厕4座 is a commitment outside the vocabulary; 科普示范社区达到50. has no unit to read
    assert [t for t, c in zip(triples(cs), cs, strict=True) if not c.normalised] == [
        ("新建公厕", 4, None, "座")
    ]
    cs = [c for c in cs if c.normalised]
    assert triples(cs) == [
        ("地区生产总值", 12, None, "%"),
        ("考核口径增加值", 15, None, "%"),
        ("财政收入", 12, None, "%"),
    ]
    assert [c.qualifier for c in cs] == ["左右", "左右", None]
    assert {c.kind for c in cs} == {"target"}
    assert any("%" in w for w in warnings)
    # a text that has % signs: "12.在" is not read as a percentage
    cs, warnings = ex("地区生产总值增长9%。财政收入增长12.在全市领先。")
    assert triples(cs) == [("地区生产总值", 9, None, "%")] and not warnings


def test_lost_percent_with_qualifier_is_certain_anywhere():
    cs, warnings = ex("地区生产总值增长9%。一般公共预算收入增长8.以上。")
    assert (
        triples(cs)[1] == ("一般公共预算收入", 8, None, "%")
        and cs[1].qualifier == "以上"
        and warnings
    )


# ---------------------------------------------------------------------------------------------
# false positives


@pytest.mark.parametrize(
    "text",
    [
        "2016年是实施“十三五”规划的开局之年。",
        "1月9日,记者从刚刚闭幕的南开区第十七届人民代表大会第四次会议上获悉。",
        "PM2.5年均浓度明显下降,空气质量持续改善。",
        "服务业增加值占地区生产总值比重继续提高。",
        "非公经济增加值占地区生产总值的比重达到70%以上。",
        "消费对经济增长的贡献率上升3个百分点,达到51.2%。",
        "居民收入增长与经济增长同步。",
        "城镇新增就业、新增发放创业担保贷款分别完成年计划的113.4%、256.1%。",
        "一是确定了2009年地区生产总值目标,二是推进3个项目。",
    ],
)
def test_no_false_positives(text):
    cs, _ = ex(text)
    assert cs == []


def test_only_the_level_of_a_change_is_kept():
    cs, _ = ex(
        "地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元，年均增长12.1%。"
        "城镇常住居民人均可支配收入完成30788元，比2010年增加13480元。"
    )
    assert triples(cs) == [
        ("地区生产总值", 287.9, None, "亿元"),
        ("地区生产总值", 12.1, None, "%"),
        ("城镇居民人均可支配收入", 30788, None, "元"),
    ]


@pytest.mark.parametrize(
    "text,expect",
    [
        (
            "新增金融机构16家,各类总部级金融机构达44家,占全市的44%以上。",
            [("新增金融机构", 16, None, "家"), ("各类总部级金融机构", 44, None, "家")],
        ),  # the share is left out
        # filed under the vocabulary's own sub-aggregate (工业投资), never the headline 固定资产投资
        ("累计完成工业固定资产投资196亿元。", [("工业投资", 196, None, "亿元")]),
        ("开发区亩均工业增加值增长9.94%。", [("开发区亩均工业增加值", 9.94, None, "%")]),
        # what was opened is counted (the noun after the number names it); GDP accounting has no number
        (
            "推进地铁56号线建设,开通10条公交线路,地区生产总值核算工作有序推进。",
            [("公交线路", 10, None, "条")],
        ),
    ],
)
def test_sub_aggregates_keep_their_own_names(text, expect):
    """Never filed under a headline indicator (the vocabulary's mention entries); extracted under
    the name as written, or the vocabulary's name for that sub-aggregate."""
    cs, _ = ex(text)
    assert triples(cs) == expect
    vocab = load_vocab().indicators
    assert not any(
        c.normalised and vocab[c.indicator].get("match", "mention") == "mention" for c in cs
    )


def test_numbers_after_another_subject_are_not_taken():
    cs, _ = ex("全年实现新增就业5300人、再就业1500人。")
    # 1500 is not 新增就业: it is 再就业's, a name outside the vocabulary
    assert triples(cs) == [("城镇新增就业", 5300, None, "人"), ("再就业", 1500, None, "人")]
    assert [c.normalised for c in cs] == [True, False]
    cs, _ = ex("城镇新增就业4.7万人,城镇登记失业率控制在3.6%。")
    assert triples(cs) == [("城镇新增就业", 4.7, None, "万人"), ("城镇登记失业率", 3.6, None, "%")]


def test_energy_intensity_is_not_gdp():
    cs, _ = ex(
        "今年预期目标是：单位国内生产总值能耗下降3%左右，万元GDP能耗降低率控制在市考核指标内。"
    )
    assert triples(cs) == [("能耗强度", 3, None, "%")]


def test_share_indicators_named_in_vocabulary():
    cs, _ = ex("服务业增加值占地区生产总值比重保持在91%以上,税收占比超过80%。")
    assert triples(cs) == [("服务业增加值比重", 91, None, "%"), ("税收占比", 80, None, "%")]


# ---------------------------------------------------------------------------------------------
# kinds and sections


REPORT = (
    "2015年主要工作回顾\n一年来,我们稳增长、促改革。全年预计实现地区生产总值780亿元,增长9%;城镇登记失业率控制在3.6%。\n"
    "2016年主要工作任务\n2016年全区经济社会发展主要预期目标是:实现地区生产总值增长9%左右;全社会固定资产投资完成150亿元。\n"
    "附注\n1.十三五:指2016年至2020年。2.五区三带:地区生产总值增长10%的五个区。\n"
)


def _sections(text):
    a = text.index("2015年主要工作回顾")
    b = text.index("2016年主要工作任务")
    c = text.index("附注")
    return [
        Section("s1", 1, None, "2015年主要工作回顾", "review", a, b),
        Section("s2", 1, None, "2016年主要工作任务", "plan", b, c),
        Section("s3", 1, None, "附注", "glossary", c, len(text)),
    ]


def test_section_kinds_decide_and_glossary_is_ignored():
    cs, _ = ex(REPORT, _sections(REPORT))
    got = [(c.indicator, c.value, c.kind, c.section) for c in cs]
    assert got == [
        ("地区生产总值", 780, "achievement", "s1"),
        ("地区生产总值", 9, "achievement", "s1"),
        ("城镇登记失业率", 3.6, "achievement", "s1"),
        ("地区生产总值", 9, "target", "s2"),
        ("固定资产投资", 150, "target", "s2"),
    ]


def test_kinds_without_sections_come_from_the_text():
    cs, _ = ex(REPORT.split("附注")[0])
    assert [c.kind for c in cs] == ["achievement", "achievement", "achievement", "target", "target"]
    assert all(c.section is None for c in cs)


def test_innermost_section_is_reported():
    text = "二、2016年主要任务\n(一)稳增长\n地区生产总值增长7%。"
    secs = [
        Section("s1", 1, "二", "2016年主要任务", "plan", 0, len(text)),
        Section("s1-1", 2, "(一)", "稳增长", "plan", text.index("(一)"), len(text), parent="s1"),
    ]
    cs, _ = ex(text, secs)
    assert cs[0].section == "s1-1" and cs[0].kind == "target"


@pytest.mark.parametrize(
    "sentence,kind",
    [
        ("今年地区生产总值力争增长8%。", "target"),
        ("确保新增就业4万人。", "target"),
        ("今年拟安排赤字率3%。", "target"),
        ("过去一年,地区生产总值增长了6.5%。", "achievement"),
        ("去年居民消费价格总水平比上年上涨4.8%。", "achievement"),
        ("城镇新增就业1322万人,超过预期目标。", "achievement"),
    ],
)
def test_sentence_cues(sentence, kind):
    cs, _ = ex(sentence)
    assert len(cs) == 1 and cs[0].kind == kind


def test_review_words_in_a_plan_section_do_not_flip_a_target():
    text = "一般公共预算收入比上年增长3%。"
    cs, _ = ex(text, [Section("s1", 1, None, "今年工作安排", "plan", 0, len(text))])
    assert cs[0].kind == "target"


def test_offsets_point_into_the_original_text():
    text = "（一）经济增长：地区生产总值增长９％左右；一般公共预算收入增长１５％以上。"
    cs, _ = ex(text)
    assert len(cs) == 2
    for c in cs:
        assert text[c.start : c.end] == c.text and c.text.startswith(("（一）", "一般"))
    assert cs[0].unit == "%" and cs[0].value == 9


def test_empty_and_numberless_text():
    assert ex("") == ([], [])
    assert ex("各位代表:现在,我代表区人民政府,向大会作政府工作报告。") == ([], [])


# ---------------------------------------------------------------------------------------------
# seeds and corpus gold


def _score_docs(gold_docs, root: Path, sp):
    t = dict.fromkeys(
        [
            "meta_ok",
            "meta_total",
            "chrome_ok",
            "chrome_total",
            "sec_ok",
            "sec_total",
            "gold",
            "found",
            "kind_ok",
            "inside",
            "inside_ok",
            "failed",
        ],
        0,
    )
    notes = {}
    for d in gold_docs:
        text = read_source(root / d["file"])
        cs, _ = extract_commitments(text, [])
        result = {
            "text": text,
            "commitments": [asdict(c) for c in cs],
            "sections": [],
            "place": None,
            "year": None,
            "doc_type": None,
        }
        doc = {
            "expect": {"place": None, "year": None, "doc_type": None},
            "absent": [],
            "present": [],
            "sections_include": [],
            "passages": d["passages"],
        }
        n = [x for x in sp.score(doc, result, t) if x.startswith(("missed", "wrong"))]
        if n:
            notes[d["id"]] = n
    r = t["found"] / t["gold"]
    p = t["inside_ok"] / t["inside"] if t["inside"] else 1.0
    k = t["kind_ok"] / t["found"] if t["found"] else 0.0
    return r, p, k, notes


def test_seed_headline_passages():
    sp = _scorer()
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))["docs"]
    r, p, k, notes = _score_docs(gold, SHARED / "seeds", sp)
    assert r == 1.0 and p == 1.0, notes
    # kind: the scorer resets its 'used' set per passage, so a value reported as a result and set again as
    # a target (seed001: GDP 9%, income 10%) is matched to the first (achievement) prediction twice;
    # 24/26 is the ceiling. The kinds themselves are checked passage by passage below.
    assert k >= 24 / 26 - 1e-9


def test_seed_kinds_passage_by_passage():
    sp = _scorer()
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))["docs"]
    for d in gold:
        text = read_source(SHARED / "seeds" / d["file"])
        preds = [asdict(c) for c in extract_commitments(text, [])[0]]
        for p in d["passages"]:
            start = text.find(p["start"])
            end = text.find(p["end"], start) + len(p["end"])
            inside = [
                c for c in preds if c["start"] < end and c["end"] > start
            ]  # clauses overlapping it
            for g in p["commitments"]:
                assert any(sp.matches(c, g) and c["kind"] == g["kind"] for c in inside), (
                    d["id"],
                    g,
                )


def test_seed_glossary_gives_nothing():
    text = read_source(SHARED / "seeds" / "002_e1615011aa9b1423.txt")
    a = text.index("附注")
    cs, _ = extract_commitments(text, [Section("g", 1, None, "附注", "glossary", a, len(text))])
    assert cs and all(c.start < a for c in cs)


def test_corpus_gold_file_is_well_formed():
    sp = _scorer()
    docs = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    assert len(docs) >= 25
    kinds = {"district": 0, "province": 0, "national": 0}
    for d in docs:
        kinds[d["file"].split("/")[0].split("-")[0]] += 1
        assert d["id"] == Path(d["file"]).name.split(".")[0]
        text = read_source(SHARED / "corpus" / d["file"])
        for p in d["passages"]:
            s = text.find(p["start"])
            assert s >= 0 and text.find(p["end"], s) >= 0, (d["id"], p["start"])
            for g in p["commitments"]:
                # a family of the scorer, or a name as the report writes it (matched by name)
                assert g["indicator"] in sp.FAMILIES or len(g["indicator"]) >= 2
                assert g["kind"] in ("target", "achievement")
    assert kinds["district"] >= 5 and kinds["province"] >= 10 and kinds["national"] >= 10


def test_corpus_gold_scores():
    sp = _scorer()
    docs = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    r, p, k, notes = _score_docs(docs, SHARED / "corpus", sp)
    assert r >= 0.95 and p >= 0.95 and k >= 0.95, (r, p, k, notes)


def test_corpus_gold_through_the_pipeline():
    """The same gold through the whole pipeline (its text, its sections), when it is there."""
    sp = _scorer()
    pipeline = importlib.import_module("archive.ingest.pipeline")
    docs = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    t = dict.fromkeys(
        [
            "meta_ok",
            "meta_total",
            "chrome_ok",
            "chrome_total",
            "sec_ok",
            "sec_total",
            "gold",
            "found",
            "kind_ok",
            "inside",
            "inside_ok",
            "failed",
        ],
        0,
    )
    for d in docs:
        path = SHARED / "corpus" / d["file"]
        result = pipeline.parse_file(path.read_bytes(), path.name).to_contract()
        doc = {
            "expect": {"place": None, "year": None, "doc_type": None},
            "absent": [],
            "present": [],
            "sections_include": [],
            "passages": d["passages"],
        }
        sp.score(doc, result, t)
    r = t["found"] / t["gold"]
    p = t["inside_ok"] / t["inside"] if t["inside"] else 1.0
    k = t["kind_ok"] / t["found"]
    assert r >= 0.95 and p >= 0.95 and k >= 0.95, (r, p, k)


def test_run_on_sentence_is_quoted_by_its_clauses():
    filler = "，".join(["加快推进重点项目建设"] * 30)
    text = f"{filler}，地区生产总值增长7%，{filler}。"
    cs, _ = ex(text)
    assert len(cs) == 1 and cs[0].text == "地区生产总值增长7%"
    assert text[cs[0].start : cs[0].end] == cs[0].text


def test_unpaired_fenbie_list_is_left_unread_with_a_warning():
    cs, warnings = ex(
        "今年预期目标是：地区生产总值增长5.5%左右，其中第三产业增加值分别增长3.5%以上、7%左右、5%以上。"
    )
    assert triples(cs) == [("地区生产总值", 5.5, None, "%")]
    assert any("分别" in w for w in warnings)


def test_elided_sector_list():
    cs, _ = ex("今年预期目标是：一产、二产、三产增加值分别增长5.5%左右、6%左右、5%左右。")
    assert triples(cs) == [
        ("第一产业增加值", 5.5, None, "%"),
        ("第二产业增加值", 6, None, "%"),
        ("第三产业增加值", 5, None, "%"),
    ]


def test_share_of_gdp_and_one_value_for_a_list():
    cs, _ = ex(
        "今年预期目标：全社会研发经费支出相当于全市生产总值的比例保持在4%左右，"
        "城镇调查失业率和登记失业率稳定在4.3%左右，环保投入相当于全市生产总值的比例保持在3%左右。"
    )
    assert triples(cs) == [
        ("研发经费投入强度", 4, None, "%"),
        ("城镇调查失业率", 4.3, None, "%"),
        ("城镇登记失业率", 4.3, None, "%"),
        ("环保投入", 3, None, "%"),
    ]


def test_combined_mention_with_a_list_of_levels():
    cs, _ = ex("城镇和农村常住居民人均可支配收入完成29092元、17191元，分别增长3%、6.4%。")
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 29092, None, "元"),
        ("农村居民人均可支配收入", 17191, None, "元"),
        ("城镇居民人均可支配收入", 3, None, "%"),
        ("农村居民人均可支配收入", 6.4, None, "%"),
    ]
    assert {c.kind for c in cs} == {"achievement"}  # nothing around: a plain 完成 reports a result


def test_traditional_characters():
    importlib.import_module("opencc")
    text = "主要預期目標:區屬地區生產總值增長9%,城、鄉居民人均可支配收入分別增長8%、9%,城鎮登記失業率控制在4%以內。"
    cs, _ = ex(text)
    assert triples(cs) == [
        ("地区生产总值", 9, None, "%"),
        ("城镇居民人均可支配收入", 8, None, "%"),
        ("农村居民人均可支配收入", 9, None, "%"),
        ("城镇登记失业率", 4, None, "%"),
    ]
    assert all(text[c.start : c.end] == c.text for c in cs)


def test_list_of_numbers_in_a_subjectless_clause_pairs_like_fenbie():
    cs, _ = ex(
        "一年来成绩显著。城镇居民人均可支配收入17175元，农村居民人均纯收入5153元，实际增长9.8%和8.2%。"
    )
    assert triples(cs) == [
        ("城镇居民人均可支配收入", 17175, None, "元"),
        ("农村居民人均可支配收入", 5153, None, "元"),
        ("城镇居民人均可支配收入", 9.8, None, "%"),
        ("农村居民人均可支配收入", 8.2, None, "%"),
    ]
    assert {c.kind for c in cs} == {"achievement"}


def test_thousands_separators():
    cs, _ = ex("全年实现地区生产总值1,234.5亿元,增长8%,新增就业12,000人。")
    assert triples(cs) == [
        ("地区生产总值", 1234.5, None, "亿元"),
        ("地区生产总值", 8, None, "%"),
        ("城镇新增就业", 12000, None, "人"),
    ]

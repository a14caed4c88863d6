"""Place (gazetteer, disambiguation, never a guess), year, kind, dates, meeting, speaker."""

from __future__ import annotations

import pytest

from archive.ingest import gazetteer
from archive.ingest.metadata import cn_int, npc_year
from archive.ingest.pipeline import parse_file

from .helpers import body, report


def _parse(text: str):
    return parse_file(text.encode("utf-8"), "a.txt")


def test_gazetteer_is_complete_and_coded():
    _, everything = gazetteer._index()
    assert len(everything) > 3000  # all provinces, prefectures and counties
    assert [d.full_name for d in gazetteer.parse_chain("海拉尔区")] == [
        "内蒙古自治区呼伦贝尔市海拉尔区"
    ]
    assert gazetteer.parse_chain("海拉尔区")[0].code == "150702"
    assert {d.full_name for d in gazetteer.parse_chain("和平区")} == {
        "天津市和平区",
        "辽宁省沈阳市和平区",
    }
    assert gazetteer.parse_chain("天津市和平区")[0].code == "120101"


def _heping(extra: str) -> str:
    return (
        "政府工作报告\n各位代表：\n现在，我代表和平区人民政府向大会作工作报告，请予审议。\n"
        f"一、2018年工作回顾\n{body()}{extra}\n二、2019年工作安排\n{body()}\n"
    )


def test_heping_tianjin_from_context():
    r = _parse(_heping("五大道、天津站周边环境整治完成，与河西区、南开区协同发展。"))
    assert r.place.name == "天津市和平区" and r.place.code == "120101"
    assert r.place.path[0] == ("中华人民共和国", "national", None)


def test_heping_shenyang_from_context():
    r = _parse(_heping("太原街商圈改造完成，沈阳站周边环境整治完成，与沈河区、皇姑区协同发展。"))
    assert r.place.name == "辽宁省沈阳市和平区" and r.place.code == "210102"


def test_ambiguous_without_context_is_unknown():
    r = _parse(_heping("城区环境进一步改善。"))
    assert r.place is None
    assert any("ambiguous" in w for w in r.warnings)


def test_masked_place_and_year_unknown():
    text = (
        "政府计划及总结\n各位代表：\n我代表*区人民政府，向大会作工作报告，请予审议。\n"
        f"一、*年工作回顾\n{body()}\n二、*年工作安排\n{body()}\n"
    )
    r = _parse(text)
    assert r.place is None and r.year is None
    assert any("masked" in w for w in r.warnings)


def test_no_place_named_is_unknown():
    r = _parse(
        f"工作报告\n各位代表：\n现在，我代表区政府向大会作工作报告。\n一、过去一年工作回顾\n{body()}\n"
    )
    assert r.place is None


def test_full_path_from_meeting_and_speaker():
    text = (
        "政 府 工 作 报 告\n——2016年2月19日在海拉尔区第十四届人民代表大会第五次会议上\n"
        "海拉尔区人民政府区长　　杜联合\n各位代表：\n现在，我代表区政府向大会作工作报告。\n"
        f"一、2015年工作回顾\n{body()}\n二、2016年工作安排\n{body()}\n"
    )
    r = parse_file(text.encode("gb18030"), "a.txt")
    assert r.place.name == "内蒙古自治区呼伦贝尔市海拉尔区" and r.place.level == "district"
    assert r.delivered == "2016-02-19" and r.year == 2016
    assert r.meeting == "海拉尔区第十四届人民代表大会第五次会议"
    assert r.speaker == "杜联合"


def test_year_from_review_heading_alone():
    text = (
        f"各位代表：\n现在，我代表河西区人民政府向大会作工作报告。\n一、2015年工作回顾\n{body()}\n"
    )
    assert _parse(text).year == 2016  # a report reviewing 2015 is the 2016 report


def test_year_not_from_copy_date():
    text = (
        "时间:2022-10-16 06:06:34\n"
        + f"各位代表：\n现在，我代表河西区人民政府向大会作工作报告。\n一、过去一年工作回顾\n{body()}\n"
    )
    r = _parse(text)
    assert r.year is None and r.published == "2022-10-16"


def test_corrupted_date_recovered_or_warned():
    text = report().replace("2016年1月11日", "2016111日")
    r = _parse(text)
    assert r.delivered is None and r.year == 2016
    assert any("2016111" in w for w in r.warnings)
    r = _parse(
        "下面是小编整理的政府工作报告——2016年1月11日在河西区第十六届人民代表大会第七次会议上，供大家参考。\n"
        + text
    )
    assert r.delivered == "2016-01-11"
    assert any("recovered" in w for w in r.warnings)


def test_national_report_and_npc_sessions():
    text = f"各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n一、2018年工作回顾\n{body()}\n三、2019年政府工作任务\n{body()}\n"
    r = _parse(text)
    assert r.place.name == "中华人民共和国" and r.place.level == "national" and r.year == 2019
    assert (
        npc_year(1, 1) == 1954
        and npc_year(6, 1) == 1983
        and npc_year(13, 2) == 2019
        and npc_year(14, 3) == 2025
    )
    assert cn_int("十三") == 13 and cn_int("二十") == 20


def test_resolution_is_other():
    text = (
        "第十三届全国人民代表大会第二次会议听取和审议了国务院总理李克强所作的\n政府工作报告\n。"
        "会议充分肯定国务院过去一年的工作，同意报告提出的2019年经济社会发展总体要求，决定批准这个报告。\n"
    )
    r = _parse(text)
    assert r.doc_type == "other" and r.year == 2019 and r.place.level == "national"


@pytest.mark.parametrize(
    "text,kind",
    [
        (report(), "work_report"),
        (
            "记者从河西区第十六届人民代表大会第七次会议上获悉，2016年河西区将推动高质量发展。\n"
            + body(10),
            "news",
        ),
        (
            "河西区政府制定2016年20项重点政务目标\n"
            + "一是地区生产总值增长9%左右.二是一般公共预算收入增长15%.三是新增就业3万人." * 10,
            "targets",
        ),
        (
            "2016年政府工作总体要求是：" + body(30) + "\n（一）推动高质量发展\n" + body(20),
            "work_report_excerpt",
        ),
    ],
    ids=["work_report", "news", "targets", "excerpt"],
)
def test_doc_types(text, kind):
    assert _parse(text).doc_type == kind


def test_division_not_in_gazetteer_keeps_parent_and_unknown_code():
    text = f"政府工作报告\n各位代表：\n现在，我代表天津市蓟县人民政府向大会作工作报告。\n一、2013年工作回顾\n{body()}\n"
    r = _parse(text)
    assert (
        r.place.name == "天津市蓟县"
        and r.place.code is None
        and r.place.path[1] == ("天津市", "province", "120000")
    )
    assert any("gazetteer" in w for w in r.warnings)


def test_abolished_district_parent_from_context_or_unknown():
    base = "政府工作报告\n各位代表：\n现在，我代表塘沽区人民政府向大会作工作报告。\n一、2007年工作回顾\n{}\n"
    r = _parse(base.format(body() + "天津港、天津开发区和天津滨海新区协同发展，落实天津市委部署。"))
    assert r.place.name == "天津市塘沽区" and r.place.code is None
    assert _parse(base.format(body())).place is None  # no parent named: unknown, not a guess


def test_generic_self_reference_is_not_a_place():
    text = f"政府工作报告\n各位代表：\n现在，我代表自治区人民政府向大会报告工作。\n一、2024年工作回顾\n{body()}南宁、柳州、桂林\n"
    assert _parse(text).place is None


@pytest.mark.parametrize("term", [8, 9, 10, 11, 12, 19, 20])
def test_a_review_of_five_years_names_the_next_terms_first_session(term):
    """ "第十一届…第一次会议以来的五年" is reviewed at the 12th term's first session: the
    name is written for any term, not only for terms whose successor is one character."""
    from archive.ingest.metadata import cn_numeral, find_meeting

    head = "政府工作报告\n"
    text = f"过去五年，即第{cn_numeral(term)}届全国人民代表大会第一次会议以来的五年，工作很多。"
    name, year = find_meeting(head, text)
    assert name == f"第{cn_numeral(term + 1)}届全国人民代表大会第一次会议"
    assert cn_int(cn_numeral(term + 1)) == term + 1
    if term <= 13:
        assert year == npc_year(term + 1, 1)

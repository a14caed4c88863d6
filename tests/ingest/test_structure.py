"""Heading styles, the section tree, kinds, glossary and footnotes, paragraphs."""

from __future__ import annotations

import re

from archive.ingest.pipeline import parse_file

from .helpers import body


def _parse(text: str):
    return parse_file(text.encode("utf-8"), "a.txt")


OPENING = "政府工作报告\n——2019年1月8日在河西区第十七届人民代表大会第三次会议上\n各位代表：\n现在，我代表河西区人民政府向大会作工作报告，请予审议。\n"


def test_all_numbered_styles_nest():
    text = OPENING + (
        f"一、2018年工作回顾\n{body()}\n"
        f"二、2019年工作安排\n（一）推动高质量发展\n1.发展现代服务业\n{body()}\n（1）金融业\n{body()}\n(2)商贸业\n{body()}\n"
        f"2、发展先进制造业\n{body()}\n(二)保障和改善民生\n{body()}\n"
    )
    r = _parse(text)
    tree = [(s.anchor, s.level, s.number, s.title) for s in r.sections]
    assert tree == [
        ("s1", 1, "一", "2018年工作回顾"),
        ("s2", 1, "二", "2019年工作安排"),
        ("s2-1", 2, "（一）", "推动高质量发展"),
        ("s2-1-1", 3, "1", "发展现代服务业"),
        ("s2-1-1-1", 4, "（1）", "金融业"),
        ("s2-1-1-2", 4, "（2）", "商贸业"),
        ("s2-1-2", 3, "2", "发展先进制造业"),
        ("s2-2", 2, "（二）", "保障和改善民生"),
    ]
    kinds = {s.anchor: s.kind for s in r.sections}
    assert kinds["s1"] == "review" and kinds["s2"] == "plan" and kinds["s2-1-1-1"] == "plan"
    for s in r.sections:
        assert re.fullmatch(r"s\d+(-\d+)*", s.anchor)
        assert 0 <= s.start < s.end <= len(r.text)
        assert (
            r.text[s.start :].startswith(s.number if len(s.number) == 1 else s.number[1:2])
            or s.title in r.text[s.start : s.end]
        )


def test_numbers_are_not_headings():
    text = (
        OPENING
        + f"一、2018年工作回顾\n{body()}\n1.5亿元的专项资金全部到位，{body(1)}\n2018年，全区经济平稳增长。{body(1)}\n"
    )
    r = _parse(text)
    assert [s.title for s in r.sections] == ["2018年工作回顾"]


def test_heading_with_lead_sentence_and_body_on_one_line():
    text = (
        OPENING
        + f"一、2018年工作回顾\n（一）综合实力进一步增强。{body()}\n（二）城市面貌明显改善。{body()}\n"
    )
    r = _parse(text)
    assert [s.title for s in r.sections if s.level == 2] == [
        "综合实力进一步增强",
        "城市面貌明显改善",
    ]


def test_part_headings_without_number():
    text = (
        OPENING
        + f"2018年主要工作回顾\n{body()}\n一、经济发展\n{body()}\n2019年主要工作任务\n{body()}\n一、创新驱动\n{body()}\n"
    )
    r = _parse(text)
    top = [(s.title, s.kind) for s in r.sections if s.level == 1]
    assert top == [("2018年主要工作回顾", "review"), ("2019年主要工作任务", "plan")]
    assert [s.title for s in r.sections if s.level == 2] == ["经济发展", "创新驱动"]


def test_unnumbered_headline_lines():
    text = (
        "2019年河西区将推动高质量发展\n"
        + f"{body()}\n坚定不移推动高质量发展\n{body()}\n着力保障和改善民生\n{body()}\n"
    )
    r = _parse(text)
    assert [s.title for s in r.sections] == ["坚定不移推动高质量发展", "着力保障和改善民生"]


def test_letter_spaced_title():
    r = _parse(
        "政 府 工 作 报 告\n" + OPENING.split("\n", 1)[1] + f"一、2018年工作回顾\n{body()}\n"
    )
    assert r.title == "政府工作报告"
    assert "政 府 工 作 报 告" in r.text  # the stored text keeps the original characters
    assert all("政 府" not in s.title for s in r.sections)


def test_flattened_text_yishi_erishi():
    flat = (
        "区政府制定了2019年重点工作目标.在经济发展方面的目标有三项.一是地区生产总值增长6.左右.二是一般公共预算收入增长5.三是"
        "固定资产投资增长10.在民生保障方面的目标有两项.一是新增就业2万人.二是完成老旧小区改造30个.以上目标将逐项分解落实到各部门."
    ) * 12
    r = _parse("河西区政府制定2019年重点工作目标\n" + flat)
    assert len(r.paragraphs) > 1  # the one long line is cut at its sections
    groups = [s for s in r.sections if s.level == 1]
    assert groups and groups[0].title == "在经济发展方面的目标有三项"
    assert [s.number for s in r.sections if s.parent == groups[0].anchor] == [
        "一是",
        "二是",
        "三是",
    ]


def test_glossary_and_footnotes_kept_apart():
    text = OPENING + (
        f"一、2019年工作安排\n（一）推动高质量发展\n{body()}落实“六稳”[①]要求。\n"
        "附注：\n1.六稳：是指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。\n2.放管服：是指简政放权、放管结合、优化服务。\n"
    )
    r = _parse(text)
    glossary = [s for s in r.sections if s.kind == "glossary"]
    assert len(glossary) == 1 and glossary[0].level == 1
    assert "放管服" in r.text[glossary[0].start : glossary[0].end]
    assert not any(s.title.startswith("六稳") for s in r.sections)  # definitions are not sections
    body_sections = [s for s in r.sections if s.kind != "glossary"]
    assert all(s.end <= glossary[0].start for s in body_sections)

    text2 = (
        OPENING
        + f"一、2019年工作安排\n{body()}落实“六稳”[①]要求。\n{body()}\n{body()}\n[①]六稳：稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。\n"
    )
    r2 = _parse(text2)
    notes = [s for s in r2.sections if s.kind == "glossary"]
    assert len(notes) == 1 and "稳预期" in r2.text[notes[0].start : notes[0].end]


def test_problems_kind():
    text = (
        OPENING
        + f"一、2018年工作回顾\n{body()}\n二、存在的困难和问题\n{body()}\n三、2019年工作安排\n{body()}\n"
    )
    r = _parse(text)
    assert [s.kind for s in r.sections] == ["review", "problems", "plan"]


def test_paragraphs_numbered_stably_with_section_anchor():
    text = OPENING + f"一、2018年工作回顾\n{body()}\n{body(2)}\n二、2019年工作安排\n{body(1)}\n"
    r1, r2 = _parse(text), _parse(text)
    assert [(p.number, p.start, p.end, p.section) for p in r1.paragraphs] == [
        (p.number, p.start, p.end, p.section) for p in r2.paragraphs
    ]
    assert [p.number for p in r1.paragraphs] == list(range(1, len(r1.paragraphs) + 1))
    in_review = [p for p in r1.paragraphs if p.section == "s1"]
    assert len(in_review) == 2 and r1.text[in_review[0].start : in_review[0].end] == body()
    assert [p for p in r1.paragraphs if p.section == "s2"][0].end == len(r1.text)


def test_broken_lines_rejoined():
    text = (
        OPENING
        + "一、2018年工作回顾\n我们认真贯彻落实市委、市政府的决策部署，全面推进\n《河西区国民经济和社会发展第十三个五年规划纲要》\n的实施，各项工作取得新进展。\n"
    )
    r = _parse(text)
    assert "全面推进《河西区国民经济和社会发展第十三个五年规划纲要》的实施" in r.text


def test_flattened_text_with_numbered_headings():
    flat = (
        "各位代表：现在，我代表河西区人民政府向大会作工作报告，请予审议。一、2018年工作回顾"
        + body(6)
        + "（一）经济发展稳中有进。"
        + body(6)
        + "（二）民生保障不断加强。"
        + body(6)
        + "二、2019年工作安排"
        + body(6)
        + "（一）推动高质量发展。"
        + body(6)
    )
    r = _parse("政府工作报告\n" + flat)
    tree = [(s.level, s.number, s.title) for s in r.sections]
    assert tree == [
        (1, "一", "2018年工作回顾"),
        (2, "（一）", "经济发展稳中有进"),
        (2, "（二）", "民生保障不断加强"),
        (1, "二", "2019年工作安排"),
        (2, "（一）", "推动高质量发展"),
    ]
    assert r.year == 2019 and len(r.paragraphs) >= 5


def test_numbered_parts():
    text = (
        OPENING
        + f"第一部分 2018年工作回顾\n一、经济发展\n{body()}\n第二部分 2019年工作安排\n一、创新驱动\n{body()}\n"
    )
    r = _parse(text)
    assert [(s.level, s.number, s.title, s.kind) for s in r.sections] == [
        (1, "第一部分", "2018年工作回顾", "review"),
        (2, "一", "经济发展", "review"),
        (1, "第二部分", "2019年工作安排", "plan"),
        (2, "一", "创新驱动", "plan"),
    ]

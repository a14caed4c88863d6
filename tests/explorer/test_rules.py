"""The matching rules of explorer.rules, without a database: what counts as met."""

import pytest

from explorer import rules as explorer
from explorer.rules import Item, Status


def item(
    value,
    unit="%",
    *,
    kind="target",
    qualifier="",
    value_max=None,
    year=2016,
    sentence=None,
    indicator="地区生产总值",
    section_kind="",
):
    if sentence is None:
        written = (
            explorer.format_number(value)
            + ("—" + explorer.format_number(value_max) if value_max is not None else "")
            + unit
        )
        sentence = f"地区生产总值增长{written}{qualifier}"
    span = explorer.locate_number(sentence, value, value_max, unit)
    return Item(
        id=abs(hash((value, kind, sentence))) % 10**6,
        report_id=1,
        report_public_id="abcdefgh",
        place_id=1,
        place="某区",
        year=year,
        indicator=indicator,
        value=value,
        value_max=value_max,
        unit=unit,
        qualifier=qualifier,
        kind=kind,
        sentence=sentence,
        section_kind=section_kind,
        span=span,
    )


@pytest.mark.parametrize(
    "target, result, higher, status",
    [
        (item(6, qualifier="左右"), item(5.5, kind="achievement"), True, Status.MET),
        (item(6, qualifier="左右"), item(5.4, kind="achievement"), True, Status.MISSED),
        (item(6, qualifier="左右"), item(7, kind="achievement"), True, Status.MET),
        (item(8, qualifier="以上"), item(7.9, kind="achievement"), True, Status.MISSED),
        (item(8, qualifier="以上"), item(8, kind="achievement"), True, Status.MET),
        (
            item(4, qualifier="以内", indicator="城镇登记失业率"),
            item(3.65, kind="achievement"),
            False,
            Status.MET,
        ),
        (
            item(4, qualifier="以内", indicator="城镇登记失业率"),
            item(4.1, kind="achievement"),
            False,
            Status.MISSED,
        ),
        (item(6, value_max=6.5), item(6.1, kind="achievement"), True, Status.MET),
        (item(6, value_max=6.5), item(5.9, kind="achievement"), True, Status.MISSED),
        (item(7.5), item(8.9, kind="achievement"), True, Status.MET),
        (item(240, "亿元"), item(2352000, "万元", kind="achievement"), True, Status.MISSED),
        (item(240, "亿元"), item(2400000, "万元", kind="achievement"), True, Status.MET),
    ],
)
def test_judge(target, result, higher, status):
    assert explorer.judge(target, result, higher).status == status


def test_a_fall_counts_against_a_rise():
    target = item(6)
    fall = item(2, kind="achievement", sentence="地区生产总值下降2%")
    assert explorer.judge(target, fall, True).status == Status.MISSED


def test_a_larger_fall_meets_a_fall_target():
    target = item(3, sentence="单位生产总值能耗下降3%", indicator="能耗强度")
    result = item(
        3.4, kind="achievement", sentence="单位生产总值能耗下降3.4%", indicator="能耗强度"
    )
    assert explorer.judge(target, result, False).status == Status.MET


def test_no_result_and_units_that_do_not_compare():
    target = item(6)
    assert explorer.judge(target, None, True).status == Status.NO_RESULT
    assert explorer.pick_result(target, [item(1.5, "个百分点", kind="achievement")]) is None


def test_multi_year_numbers_do_not_answer_a_target():
    five_years = item(
        12.1,
        kind="achievement",
        year=2016,
        sentence="地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元，年均增长12.1%",
    )
    one_year = item(8.9, kind="achievement", year=2016, sentence="地区生产总值同比增长8.9%")
    assert explorer.pick_result(item(7.5, year=2015), [five_years, one_year]) is one_year


def test_match_promises_reads_the_next_years_report_only():
    t2014 = item(11, year=2014)
    r2016 = item(8.9, kind="achievement", year=2016)
    pairs = explorer.match_promises([t2014], {2014: [t2014], 2016: [r2016]}, lambda n: True)
    assert [p.status for p in pairs] == [Status.NO_RESULT]
    assert "2015" in pairs[0].verdict.rule


def test_sentence_marks_the_number_as_written():
    it = item(4.5, value_max=5, sentence="地区生产总值增长4.5%—5%左右")
    assert it.number_text == "4.5%—5%"
    assert [t for t, marked in it.pieces if marked] == ["4.5%—5%"]


def test_correction_key_ignores_spacing_and_width():
    a = explorer.correction_key("地区生产总值达到 287.9亿元,同比增长8.9%", "8.9%")
    b = explorer.correction_key("地区生产总值达到287.9亿元，同比增长８.９%", "8.9%")
    assert a == b


def test_pivot_keeps_gaps():
    rows = [item(21, year=2012), item(20, year=2013), item(7.5, year=2016)]
    pivot = explorer.build_pivot(rows)
    assert pivot.years == [2012, 2013, 2014, 2015, 2016]
    assert [[i.value for i in c] for c in pivot.rows[0].cells] == [[21], [20], [], [], [7.5]]


def test_one_target_per_year_indicator_and_kind_of_number():
    first = item(6, qualifier="左右", section_kind="targets")
    again = item(
        6, qualifier="左右", sentence="全年地区生产总值增长6%左右的目标"
    )  # restated in a chapter
    result = item(6.2, kind="achievement", year=2017)
    pairs = explorer.match_promises([again, first], {2017: [result]}, lambda _: True)
    assert [(p.target.id, p.result.value) for p in pairs] == [(first.id, 6.2)]


def test_multi_year_and_scoped_figures_never_pair_with_annual_targets():
    from dataclasses import replace

    target = item(6)
    five_year = replace(item(7.1, kind="achievement", year=2017), period="multi_year_average")
    part = replace(item(9, kind="achievement", year=2017), scope="大湾区")
    annual = item(6.4, kind="achievement", year=2017)
    [pair] = explorer.match_promises([target], {2017: [five_year, part, annual]}, lambda _: True)
    assert pair.result.value == 6.4
    [pair] = explorer.match_promises([target], {2017: [five_year, part]}, lambda _: True)
    assert pair.result is None
    assert (
        explorer.match_promises(
            [replace(target, period="by_year", horizon=2020)], {2017: [annual]}, lambda _: True
        )
        == []
    )

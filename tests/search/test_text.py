"""Framework-free parts of search: normalisation, units, query syntax, snippets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from search.analysis import JiebaTokenizer, get_jieba, jieba_words
from search.highlight import make_snippet, mark_html, mark_text
from search.normalize import normalize, normalize_with_offsets
from search.query import Filters, QuerySyntaxError, parse_query, to_string
from search.units import section_units


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("營商環境", "营商环境"),
        ("６.５％", "6.5%"),
        ("ＧＤＰ增长", "gdp增长"),
        ("政 府 工 作 报 告", "政府工作报告"),
        ("PM2.5  年均", "pm2.5年均"),
        ("new   york", "new york"),
        ("第一段\n\n  第二段 ", "第一段\n第二段"),
        ("①项", "1项"),
    ],
)
def test_normalize(raw, norm):
    assert normalize(raw) == norm


def test_offsets_map_back_to_the_original():
    raw = "　政 府 工 作 報 告\r\n\r\n推进ＰＭ２.５治理，①㎡"
    norm, omap = normalize_with_offsets(raw)
    assert norm == normalize(raw) and len(omap) == len(norm) + 1
    for i, ch in enumerate(norm):
        if ch != "\n":
            assert ch in normalize(raw[omap[i]])  # each character comes from its original


def test_jieba_positions_are_consecutive_and_use_the_dictionary():
    tokens = [
        (t.text, t.pos)
        for t in JiebaTokenizer()("深入推进京津冀协同发展，优化营商环境", positions=True)
    ]
    assert [p for _, p in tokens] == list(range(len(tokens)))
    words = [w for w, _ in tokens]
    assert "京津冀协同发展" in words and "营商环境" in words
    assert get_jieba() is get_jieba()  # loaded once per process


def test_units_cover_the_text_once():
    class S:
        def __init__(self, pk, parent_id, start, end):
            self.pk, self.parent_id, self.start, self.end = pk, parent_id, start, end

    text = "preamble" + "A" * 10 + "B" * 10 + "tail"
    sections = [S(1, None, 8, 28), S(2, 1, 18, 28)]
    units = section_units(len(text), sections)
    covered = sorted(span for u in units.values() for span in u.segments)
    assert covered == [(0, 18), (18, 28), (28, 32)] or sum(e - s for s, e in covered) == len(text)
    assert units[2].text(text) == "B" * 10
    assert units[1].to_version_offset(0) == 0


@pytest.mark.parametrize(
    "q, expected",
    [
        ("营商环境 棚户区改造", "营商环境 棚户区改造"),
        ('"新增 就业" -天津', '"新增就业" -天津'),
        ("(营商环境 OR 放管服) 改革", "(营商环境 OR 放管服) 改革"),
        ("营商环境 | 放管服", "营商环境 OR 放管服"),
        ("（一）发展", "(一)发展"),  # full-width parentheses are text
        ("營商環境", "营商环境"),
    ],
)
def test_query_syntax(q, expected):
    assert to_string(parse_query(q).tree) == expected


@pytest.mark.parametrize(
    "q, expected",
    [("」", "」"), ("』", "』"), ("营商环境」", "营商环境 」"), ("「新增」 」", '"新增" 」')],
)
def test_a_stray_closing_bracket_is_a_character_to_find(q, expected):
    """Parsed in a child process with limits of time and memory: a parser that reads the
    same place forever (as one did on 」, piling up tokens) fails this test instead of
    hanging the suite or filling the machine's memory."""
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "from search.query import parse_query, to_string; "
        "print(to_string(parse_query(sys.argv[1]).tree))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, q],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_filters_in_the_query():
    f = parse_query("发展 地区:河西区 年份:2015-2020 类型:工作报告 部分:目标/回顾").filters
    assert f.places == ["河西区"] and (f.year_from, f.year_to) == (2015, 2020)
    assert f.doc_types == ["work_report"] and f.kinds == ["targets", "review"]
    f = parse_query("发展 年份:2018-", Filters(year_to=2019)).filters
    assert (f.year_from, f.year_to) == (2018, 2019)


@pytest.mark.parametrize(
    "q",
    [
        '"abc',
        "(abc",
        "abc)",
        "abc OR",
        "OR abc",
        "-abc",
        "年份:去年",
        "部分:序言",
        "地区:",
        '""',
        "()",
        "x" * 501,
    ],
)
def test_bad_syntax_is_explained_in_chinese_and_english(q):
    with pytest.raises(QuerySyntaxError) as exc:
        parse_query(q)
    message = str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "(" in message


def test_snippet_marks_exact_occurrences_in_the_original_text():
    text = "前言。\n推进營商環境建设，优化 营 商 环 境，营商环境很重要。" + "其他内容" * 50
    snip = make_snippet(text, ["营商环境"])
    assert snip.marked == ["營商環境", "营 商 环 境", "营商环境"]
    for start, end in snip.occurrences:
        assert normalize(text[start:end]) == "营商环境"


def test_overlapping_terms_never_share_a_mark():
    pieces = mark_text("营商环境营商", ["营商环境", "环境营商", "营商"])
    assert [t for t, m in pieces if m] == ["营商环境", "营商"]


def test_marks_are_escaped():
    assert mark_html("<b>营商环境</b>", ["营商环境"]) == "&lt;b&gt;<mark>营商环境</mark>&lt;/b&gt;"


def test_jieba_words_skip_punctuation():
    assert all(w.strip("，。,.") for w, _, _ in jieba_words("营商环境，棚户区改造。"))

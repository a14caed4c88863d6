"""The recall index (search.recall): exact substring matches of any length, on disk."""

import random
import sqlite3

import pytest

from search.normalize import normalize
from search.recall import RecallIndex, char_tokens, match_expression

TEXTS = {
    1: "营商环境持续优化\n增长6.5%左右",
    2: "优化营商\n环境",  # 营商环境 only across a line break: no match
    3: "PM2.5 浓度下降 new energy 京津冀协同发展",
    4: "一",
}


@pytest.fixture
def recall(tmp_path):
    index = RecallIndex(tmp_path)
    index.create()
    index.begin()
    for section, text in TEXTS.items():
        index.add(section, 100 + section, normalize(text))
    index.commit()
    yield index
    index.close()


def test_tokens_are_hex_code_points_of_every_character():
    assert char_tokens("营商") == "8425 5546"
    assert char_tokens("a %\n") == "61 20 25 a"
    assert match_expression("6.5%") == '"36 2e 35 25"'


@pytest.mark.parametrize(
    "term, expected",
    [
        ("营商环境", [1]),  # never across a line break
        ("营商", [1, 2]),
        ("环境", [1, 2]),
        ("一", [4]),  # one character
        ("6.5%", [1]),  # punctuation and digits are characters like any other
        ("6.5", [1]),
        ("5%左", [1]),
        ("new energy", [3]),  # spaces count
        ("newenergy", []),
        ("京津冀协同发展", [3]),
        ("协同发", [3]),
        ("不存在", []),
        ("", []),
    ],
)
def test_a_term_finds_exactly_the_sections_containing_it(recall, term, expected):
    assert sorted(recall.sections(normalize(term))) == expected


def test_random_substrings_agree_with_a_scan(recall):
    rng = random.Random(7)
    norm = {k: normalize(v) for k, v in TEXTS.items()}
    for _ in range(300):
        text = rng.choice(list(norm.values()))
        a = rng.randrange(len(text))
        term = text[a : a + rng.randint(1, 6)].strip()
        if not term:
            continue
        assert sorted(recall.sections(term)) == sorted(k for k, t in norm.items() if term in t)


def test_delete_removes_a_section_and_adding_it_again_is_a_no_op(recall):
    assert recall.add(1, 101, normalize(TEXTS[1])) is False  # already there
    recall.begin()
    assert recall.delete([1, 999]) == 1
    recall.commit()
    assert recall.sections("营商") == [2]
    assert recall.all_sections() == {2: 102, 3: 103, 4: 104}
    # FTS5's own consistency check: the deletes used the very tokens that were inserted
    recall.conn.execute("INSERT INTO chars(chars, rank) VALUES ('integrity-check', 0)")


def test_sections_of_reports(recall):
    assert recall.sections_of_reports([101, 103, 555]) == {1, 3}


def test_a_rolled_back_write_leaves_nothing(recall):
    recall.begin()
    recall.add(9, 109, "临时文字")
    recall.rollback()
    assert recall.sections("临时") == []
    with pytest.raises(sqlite3.OperationalError):
        recall.commit()  # nothing open
